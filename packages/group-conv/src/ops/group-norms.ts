import * as tf from '@tensorflow/tfjs-core';
import { assertGroupFeatures } from '../layout';

/**
 * Instance normalisation as the reference defines it: per (sample, channel) over (h, w, G), no
 * affine parameters. `[batch, h, w, G, C]` → same shape.
 */
export function groupInstanceNorm(x: tf.Tensor5D, epsilon = 1e-5): tf.Tensor5D {
  assertGroupFeatures('groupInstanceNorm', x);
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, [1, 2, 3], true);
    return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, epsilon))) as tf.Tensor5D;
  });
}

/** Layer normalisation as the reference defines it: per sample over (h, w, G, C), no affine parameters. */
export function groupLayerNorm(x: tf.Tensor5D, epsilon = 1e-5): tf.Tensor5D {
  assertGroupFeatures('groupLayerNorm', x);
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, [1, 2, 3, 4], true);
    return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, epsilon))) as tf.Tensor5D;
  });
}
