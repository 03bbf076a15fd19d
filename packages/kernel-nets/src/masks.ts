import * as tf from '@tensorflow/tfjs-core';

/**
 * Kernel masks (reference §3.4). Each takes coordinates `[..., d]` (the transformed kernel-net
 * inputs) and returns a multiplicative mask `[...]` with no learnable parameters.
 */

/** 1 where ‖x‖ ≤ radius, else 0 (SE(2) kernels; the disk is rotation invariant). */
export function diskMask(points: tf.Tensor, radius = 1): tf.Tensor {
  return tf.tidy(() =>
    tf.cast(tf.lessEqual(tf.sum(tf.square(points), -1), radius * radius), 'float32'),
  );
}

/** σ(slope·(1 − ‖x‖)), a soft disk of radius 1; the norm runs over the whole last axis. */
export function smoothDiskMask(points: tf.Tensor, slope: number): tf.Tensor {
  return tf.tidy(() =>
    tf.sigmoid(tf.mul(tf.sub(1, tf.sqrt(tf.sum(tf.square(points), -1))), slope)),
  );
}

/** σ(slope·(1 − max_i |x_i|)), a soft square of half-width 1 (R²⋊R⁺ kernels). */
export function smoothSquareMask(points: tf.Tensor, slope: number): tf.Tensor {
  return tf.tidy(() => tf.sigmoid(tf.mul(tf.sub(1, tf.max(tf.abs(points), -1)), slope)));
}

/**
 * σ(slope·(maxDistance − |c|)) of a log-scale offset c `[...]`: limits how far apart in scale two
 * group elements may interact (scale groups; maxDistance = ln(maxScale)/nScales).
 */
export function scaleDistanceMask(
  logScaleOffset: tf.Tensor,
  maxDistance: number,
  slope: number,
): tf.Tensor {
  return tf.tidy(() => tf.sigmoid(tf.mul(tf.sub(maxDistance, tf.abs(logScaleOffset)), slope)));
}
