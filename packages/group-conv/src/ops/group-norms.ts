import * as tf from '@tensorflow/tfjs-core';
import { assertGroupFeatures } from '../layout';

/**
 * Instance normalisation as the reference defines it: per (sample, channel) over (h, w, G), no
 * affine parameters. `[batch, h, w, G, C]` → same shape.
 */
export function groupInstanceNorm(x: tf.Tensor5D, epsilon = 1e-5): tf.Tensor5D {
  assertGroupFeatures('groupInstanceNorm', x);
  const [b, h, w, g, c] = x.shape;
  return normalizeRows(x, [b, h * w * g, c], epsilon);
}

/** Layer normalisation as the reference defines it: per sample over (h, w, G, C), no affine parameters. */
export function groupLayerNorm(x: tf.Tensor5D, epsilon = 1e-5): tf.Tensor5D {
  assertGroupFeatures('groupLayerNorm', x);
  const [b, h, w, g, c] = x.shape;
  return normalizeRows(x, [b, h * w * g * c], epsilon);
}

/**
 * `y = (x − μ)/√(σ² + ε)` with the mean μ and biased variance σ² over axis 1 of `x` viewed as
 * `view`, `[batch, n]` or `[batch, n, channels]` (a 2-D view reduces the contiguous last axis:
 * wasm transposes the input of any other reduction), returned in `x`'s shape: the values of
 * `tf.moments` → sub → div (same ops, so the same numbers up to the reductions' summation order).
 *
 * One custom-gradient node with the analytic gradient
 * `dx = (dy − mean(dy) − y·mean(dy·y))/√(σ² + ε)` (means over axis 1): seven ops, where autodiff of
 * the moments records ~20 ops with their saved inputs and runs ~30 in the backward pass, several
 * of them full-size broadcasts.
 */
function normalizeRows<T extends tf.Tensor>(
  x: T,
  view: [number, number] | [number, number, number],
  epsilon: number,
): T {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const rows = tf.reshape(input, view);
    const mean = tf.mean(rows, 1, true);
    const centered = tf.sub(rows, mean);
    const variance = tf.mean(tf.square(centered), 1, true);
    const std = tf.sqrt(tf.add(variance, epsilon));
    const y = tf.div(centered, std);
    save([y, std]);
    return {
      value: tf.reshape(y, input.shape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [ys, s] = saved as [tf.Tensor, tf.Tensor];
          const d = tf.reshape(dy, view);
          const meanDy = tf.mean(d, 1, true);
          const meanDyY = tf.mean(tf.mul(d, ys), 1, true);
          const dx = tf.div(tf.sub(tf.sub(d, meanDy), tf.mul(ys, meanDyY)), s);
          return tf.reshape(dx, input.shape);
        }),
    };
  });
  return f(x) as T;
}
