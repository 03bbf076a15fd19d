import { createDataset, type Dataset } from './dataset';
import { quoteFile } from './internal/describe-file';
import type { IdxArray } from './parse-idx';

/** Options of {@link idxDataset}. */
export interface IdxDatasetOptions {
  name: string;
  numClasses: number;
  /** File names for error messages. */
  imageFile?: string;
  labelFile?: string;
}

/**
 * A {@link Dataset} from parsed IDX images `[n, h, w]` (or `[n, h, w, c]`) uint8 and labels `[n]`.
 * Throws, naming the label file and byte offset, on a count mismatch or a label outside
 * `[0, numClasses)`.
 */
export function idxDataset(
  images: IdxArray,
  labels: IdxArray,
  options: IdxDatasetOptions,
): Dataset {
  const imageFile = quoteFile(options.imageFile ?? '<images>');
  const labelFile = quoteFile(options.labelFile ?? '<labels>');
  if (
    !(images.data instanceof Uint8Array) ||
    (images.shape.length !== 3 && images.shape.length !== 4)
  ) {
    throw new Error(
      `Error in idxDataset: file ${imageFile} holds ${images.data.constructor.name} of shape [${images.shape.join(', ')}], expected uint8 images [n, height, width] or [n, height, width, channels]`,
    );
  }
  if (!(labels.data instanceof Uint8Array) || labels.shape.length !== 1) {
    throw new Error(
      `Error in idxDataset: file ${labelFile} holds ${labels.data.constructor.name} of shape [${labels.shape.join(', ')}], expected uint8 labels [n]`,
    );
  }
  const [n, height, width, channels = 1] = images.shape as [number, number, number, number?];
  if (labels.shape[0] !== n) {
    throw new Error(
      `Error in idxDataset: file ${labelFile} has ${labels.shape[0]} labels but file ${imageFile} has ${n} images`,
    );
  }
  for (let i = 0; i < n; i++) {
    const l = labels.data[i] as number;
    if (l >= options.numClasses) {
      throw new Error(
        `Error in idxDataset: file ${labelFile} has label ${l} at offset ${8 + i} (item ${i}), expected a value in [0, ${options.numClasses})`,
      );
    }
  }
  return createDataset({
    name: options.name,
    images: images.data,
    labels: labels.data,
    height,
    width,
    channels,
    numClasses: options.numClasses,
  });
}
