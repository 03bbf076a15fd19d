import { createRng } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Smooth random test images `[batch, size, size, channels]`: sums of Gaussian blobs (σ ≥ size/10)
 * that vanish outside the disk inscribed in the image, so that rotating them with bilinear
 * interpolation loses almost nothing. Deterministic for a seed.
 */
export function smoothImages(batch: number, size: number, channels: number, seed = 0): tf.Tensor4D {
  const rng = createRng(seed);
  const c = (size - 1) / 2;
  const values = new Float32Array(batch * size * size * channels);
  for (let b = 0; b < batch; b++) {
    for (let ch = 0; ch < channels; ch++) {
      const blobs = Array.from({ length: 4 }, () => ({
        x: (rng.next() - 0.5) * c,
        y: (rng.next() - 0.5) * c,
        sigma: size / 10 + (rng.next() * size) / 10,
        amp: 2 * rng.next() - 1,
      }));
      for (let i = 0; i < size; i++) {
        for (let j = 0; j < size; j++) {
          const x = j - c;
          const y = i - c;
          const r = Math.hypot(x, y) / c;
          const window = r >= 1 ? 0 : (1 - r * r) ** 2;
          let v = 0;
          for (const blob of blobs)
            v +=
              blob.amp * Math.exp(-((x - blob.x) ** 2 + (y - blob.y) ** 2) / (2 * blob.sigma ** 2));
          values[((b * size + i) * size + j) * channels + ch] = v * window;
        }
      }
    }
  }
  return tf.tensor4d(values, [batch, size, size, channels]);
}

/** 1 inside the centred disk of radius `fraction·(size−1)/2`, else 0: `[size, size]`. */
export function centralDisk(size: number, fraction: number): tf.Tensor2D {
  const c = (size - 1) / 2;
  const values = new Float32Array(size * size);
  for (let i = 0; i < size; i++)
    for (let j = 0; j < size; j++)
      values[i * size + j] = Math.hypot(i - c, j - c) <= fraction * c ? 1 : 0;
  return tf.tensor2d(values, [size, size]);
}
