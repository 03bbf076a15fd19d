import * as tf from '@tensorflow/tfjs-core';
import { assertGroupFeatures } from '../layout';

/**
 * Instance normalisation as the reference defines it: per (sample, channel) over (h, w, G), no
 * affine parameters. `[batch, h, w, G, C]` → same shape.
 */
export function groupInstanceNorm(x: tf.Tensor5D, epsilon = 1e-5): tf.Tensor5D {
  assertGroupFeatures('groupInstanceNorm', x);
  return normalize(x, [1, 2, 3], epsilon);
}

/** Layer normalisation as the reference defines it: per sample over (h, w, G, C), no affine parameters. */
export function groupLayerNorm(x: tf.Tensor5D, epsilon = 1e-5): tf.Tensor5D {
  assertGroupFeatures('groupLayerNorm', x);
  return normalize(x, [1, 2, 3, 4], epsilon);
}

/**
 * `y = (x − μ)/√(σ² + ε)` with the mean μ and biased variance σ² over `axes` (kept as size-1
 * axes): the values of `tf.moments` → sub → div (same ops, so the same numbers up to the
 * reductions' summation order). The layer norm's axes are the innermost ones, which the
 * backends reduce without a transpose.
 *
 * One custom-gradient node with the analytic gradient
 * `dx = (dy − mean(dy) − y·mean(dy·y))/√(σ² + ε)` (means over `axes`): seven ops, where autodiff
 * of the moments records ~20 ops with their saved inputs and runs ~30 in the backward pass,
 * several of them full-size broadcasts.
 */
function normalize<T extends tf.Tensor>(x: T, axes: number[], epsilon: number): T {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const mean = tf.mean(input, axes, true);
    const centered = tf.sub(input, mean);
    const variance = tf.mean(tf.square(centered), axes, true);
    const std = tf.sqrt(tf.add(variance, epsilon));
    const y = tf.div(centered, std);
    save([y, std]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [ys, s] = saved as [tf.Tensor, tf.Tensor];
          const meanDy = tf.mean(dy, axes, true);
          const meanDyY = tf.mean(tf.mul(dy, ys), axes, true);
          return tf.div(tf.sub(tf.sub(dy, meanDy), tf.mul(ys, meanDyY)), s);
        }),
    };
  });
  return f(x) as T;
}
