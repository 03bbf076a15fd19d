import type { Xoshiro128 } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';
import type { Augmentation } from './augmentation';
import type { Dataset } from './dataset';
import type { Normalization } from './dataset-info';

/** One batch: `xs` `[batch, height, width, channels]` float32 and `ys` `[batch]` int32. */
export interface Batch {
  readonly xs: tf.Tensor4D;
  readonly ys: tf.Tensor1D;
  /** `[batch]` dataset indices of the rows. */
  readonly indices: Int32Array;
}

/** Options of {@link toBatch}. */
export interface ToBatchOptions {
  /** Applied after augmentation: `(x − mean[c]) / std[c]`; omitted: pixels stay in `[0, 1]`. */
  normalization?: Normalization;
  /** Applied in order to each image in pixel scale `[0, 1]`; needs `rng`. */
  augmentations?: readonly Augmentation[];
  rng?: Xoshiro128;
}

/**
 * Builds the tensors of the images at `indices`: uint8 pixels are divided by 255 (float images are
 * taken as already in `[0, 1]`), augmented, then normalized, all in JS, so exactly two tensors are
 * created. The caller owns them and must dispose them (`tf.dispose([batch.xs, batch.ys])`).
 *
 * @returns `xs` `[indices.length, height, width, channels]` float32 (NHWC), `ys` `[indices.length]` int32
 */
export function toBatch(
  dataset: Dataset,
  indices: ArrayLike<number>,
  options: ToBatchOptions = {},
): Batch {
  const { height, width, channels } = dataset;
  const per = height * width * channels;
  const n = indices.length;
  const augmentations = options.augmentations ?? [];
  if (augmentations.length > 0 && !options.rng) {
    throw new Error(
      'Error in toBatch: augmentations need options.rng (a Xoshiro128) for their random draws',
    );
  }
  const norm = options.normalization;
  if (norm && (norm.mean.length !== channels || norm.std.length !== channels)) {
    throw new Error(
      `Error in toBatch: normalization has ${norm.mean.length} means and ${norm.std.length} stds, expected ${channels} (channels of dataset '${dataset.name}')`,
    );
  }
  const xs = new Float32Array(n * per);
  const ys = new Int32Array(n);
  const scale = dataset.images instanceof Uint8Array ? 1 / 255 : 1;
  for (let k = 0; k < n; k++) {
    const i = indices[k] as number;
    if (!Number.isInteger(i) || i < 0 || i >= dataset.count) {
      throw new Error(
        `Error in toBatch: indices[${k}] = ${i} is out of range for dataset '${dataset.name}' with ${dataset.count} images`,
      );
    }
    const image = xs.subarray(k * per, (k + 1) * per);
    const src = i * per;
    for (let j = 0; j < per; j++) image[j] = (dataset.images[src + j] as number) * scale;
    for (const augment of augmentations)
      augment(image, height, width, channels, options.rng as Xoshiro128);
    if (norm) {
      for (let j = 0; j < per; j++) {
        const c = j % channels;
        image[j] = ((image[j] as number) - (norm.mean[c] as number)) / (norm.std[c] as number);
      }
    }
    ys[k] = dataset.labels[i] as number;
  }
  return {
    xs: tf.tensor4d(xs, [n, height, width, channels], 'float32'),
    ys: tf.tensor1d(ys, 'int32'),
    indices: Int32Array.from(indices),
  };
}
