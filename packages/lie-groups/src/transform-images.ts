import * as tf from '@tensorflow/tfjs-core';
import type { Subgroup } from './lie-group';

export interface TransformImagesOptions {
  interpolation?: 'bilinear' | 'nearest';
  /** Value of pixels that map from outside the input (default 0). */
  fillValue?: number;
}

/**
 * Transforms images `[batch, height, width, channels]` by one element h of a subgroup H acting
 * about the image centre: `(L_h f)(x) = f(h⁻¹x)`, sampled with bilinear (default) or nearest
 * interpolation and zero fill. Pixel convention as {@link rotate90} (x = column, y = row), so
 * `transformImages(x, SO2, [π/2])` equals `rotate90(x)` up to interpolation round-off.
 *
 * The transform is computed on the host from the numbers of `h`, so the function reads no tensor
 * and works on every backend (webgpu in Node has no synchronous read). An element held in a tensor
 * is read first: `transformImages(x, group, await h.data())`.
 *
 * @param h one element `[paramDim]`: numbers (an array, or a typed array such as `await h.data()`).
 * @throws if `h` is a tensor (read it with `await h.data()`), has the wrong length, or its scale is
 *   not > 0.
 */
export function transformImages(
  images: tf.Tensor4D,
  group: Subgroup,
  h: ArrayLike<number>,
  options: TransformImagesOptions = {},
): tf.Tensor4D {
  if (images.rank !== 4) {
    throw new Error(
      `Error in transformImages: images must be [batch, height, width, channels], got shape [${images.shape}]`,
    );
  }
  // Earlier versions took a tensor and read it with dataSync(), which webgpu in Node cannot do.
  if ((h as unknown) instanceof tf.Tensor) {
    throw new Error(
      'Error in transformImages: h must be numbers, got a tensor; read it first: transformImages(images, group, await h.data())',
    );
  }
  const params = Array.from(h);
  if (params.length !== group.paramDim) {
    throw new Error(
      `Error in transformImages: h must have ${group.paramDim} parameter(s) for ${group.name}, got ${params.length}`,
    );
  }
  const theta = group.kind === 'scale' ? 0 : params[0]!;
  const scale = group.kind === 'rotation' ? 1 : params[group.paramDim - 1]!;
  if (!(scale > 0)) throw new Error(`Error in transformImages: scale must be > 0, got ${scale}`);
  const [, height, width] = images.shape;
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  // Snap cos/sin of quarter turns to exact values: cos(π/2) = 6e-17 would push edge pixels a hair
  // outside the image, where they read the fill value.
  const snap = (v: number) => (Math.abs(v - Math.round(v)) < 1e-12 ? Math.round(v) : v);
  const c = snap(Math.cos(theta)) / scale;
  const s = snap(Math.sin(theta)) / scale;
  // Output pixel (x, y) reads input h⁻¹(x, y) = (1/s)·R(−θ)·(x, y) about the centre.
  const a0 = c;
  const a1 = s;
  const b0 = -s;
  const b1 = c;
  const row = [a0, a1, cx - a0 * cx - a1 * cy, b0, b1, cy - b0 * cx - b1 * cy, 0, 0];
  return tf.tidy(() => {
    const transforms = tf.tensor2d(row, [1, 8]);
    const one = (image: tf.Tensor4D) =>
      tf.image.transform(
        image,
        transforms,
        options.interpolation ?? 'bilinear',
        'constant',
        options.fillValue ?? 0,
      );
    // One image at a time: tfjs-backend-cpu 4.22's Transform returns after the first image of a batch.
    const batch = images.shape[0];
    if (batch === 1) return one(images);
    return tf.concat(
      tf.split(images, batch, 0).map((image) => one(image as tf.Tensor4D)),
      0,
    ) as tf.Tensor4D;
  });
}
