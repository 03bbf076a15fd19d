import * as tf from '@tensorflow/tfjs-core';

/**
 * Subgroup kernel `[Gout, Gin, Cout·Cin]` → the matrix `[Gin·Cin, Gout·Cout]` that mixes a
 * flattened `[.., Gin·Cin]` feature map into `[.., Gout·Cout]` (both group-outer).
 */
export function mixingMatrix(h: tf.Tensor3D, co: number, ci: number): tf.Tensor2D {
  const [gOut, gIn] = h.shape;
  return tf.reshape(tf.transpose(tf.reshape(h, [gOut, gIn, co, ci]), [1, 3, 0, 2]), [
    gIn * ci,
    gOut * co,
  ]);
}

/** Spatial kernel `[G, k², P]` → depthwise filter `[k, k, G·P, 1]` (channel g·P + p). */
export function depthwiseFilter(values: tf.Tensor3D, k: number): tf.Tensor4D {
  const [g, , p] = values.shape;
  return tf.reshape(tf.transpose(tf.reshape(values, [g, k, k, p]), [1, 2, 0, 3]), [k, k, g * p, 1]);
}
