/**
 * Test helper: a block-circulant mixing built from its first block column. Not exported from the
 * package; used by the *.test.ts files only.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The block-circulant `[R·Ci, R·Co]` with block (a, b) = `w[(a − b) mod R]` (w `[R, Ci, Co]`). */
export function circulant(w: tf.Tensor3D): tf.Tensor2D {
  const [r, ci, co] = w.shape;
  const index = Array.from({ length: r * r }, (_, i) => (Math.floor(i / r) - (i % r) + r) % r);
  const blocks = tf.reshape(tf.gather(w, tf.tensor1d(index, 'int32')), [r, r, ci, co]);
  return tf.reshape(tf.transpose(blocks, [0, 2, 1, 3]), [r * ci, r * co]) as tf.Tensor2D;
}
