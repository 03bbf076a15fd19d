import { createDataset, type Dataset } from './dataset';
import { quoteFile } from './internal/describe-file';

/** Options of {@link parseStl10}. */
export interface ParseStl10Options {
  /** File names for error messages. */
  imageFile?: string;
  labelFile?: string;
  name?: string;
}

const SIDE = 96;
const IMAGE = SIDE * SIDE * 3;

/**
 * Parses the STL-10 binaries (`train_X.bin`/`test_X.bin` with `train_y.bin`/`test_y.bin`): images are
 * uint8 `[n, 3, 96, 96]` with each channel stored column-major (`x` outer, `y` inner, as MATLAB wrote
 * them), labels one byte each in `1 … 10`. Converted to HWC and labels `0 … 9`.
 *
 * @returns a {@link Dataset} `[n, 96, 96, 3]` uint8, 10 classes
 */
export function parseStl10(
  imageBytes: Uint8Array,
  labelBytes: Uint8Array,
  options: ParseStl10Options = {},
): Dataset {
  const imageFile = quoteFile(options.imageFile ?? '<images>');
  const labelFile = quoteFile(options.labelFile ?? '<labels>');
  if (imageBytes.length === 0 || imageBytes.length % IMAGE !== 0) {
    throw new Error(
      `Error in parseStl10: file ${imageFile} has ${imageBytes.length} bytes, expected a positive multiple of 96·96·3 = ${IMAGE}; the image at offset ${Math.floor(imageBytes.length / IMAGE) * IMAGE} is incomplete`,
    );
  }
  const n = imageBytes.length / IMAGE;
  if (labelBytes.length !== n) {
    throw new Error(
      `Error in parseStl10: file ${labelFile} has ${labelBytes.length} bytes (labels), expected ${n}, one per image in ${imageFile}`,
    );
  }
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const l = labelBytes[i] as number;
    if (l < 1 || l > 10) {
      throw new Error(
        `Error in parseStl10: file ${labelFile} has label ${l} at offset ${i}, expected a value in [1, 10]`,
      );
    }
    labels[i] = l - 1;
  }
  const images = new Uint8Array(n * IMAGE);
  const plane = SIDE * SIDE;
  for (let i = 0; i < n; i++) {
    const src = i * IMAGE;
    for (let c = 0; c < 3; c++) {
      for (let x = 0; x < SIDE; x++) {
        for (let y = 0; y < SIDE; y++) {
          images[src + (y * SIDE + x) * 3 + c] = imageBytes[
            src + c * plane + x * SIDE + y
          ] as number;
        }
      }
    }
  }
  return createDataset({
    name: options.name ?? 'stl10',
    images,
    labels,
    height: SIDE,
    width: SIDE,
    channels: 3,
    numClasses: 10,
  });
}
