import * as tf from '@tensorflow/tfjs-core';

/**
 * `tf.unstack(x, -1)` built from slices. tfjs 4.22's Unpack and Split gradients fail when an axis
 * has length 1 (the tape hands them a bare tensor) or when some outputs are unused (null
 * gradients), both common here (SO(2) elements are `[..., 1]`), whereas Slice's gradient is a pad.
 */
export function unstackLast(x: tf.Tensor): tf.Tensor[] {
  const n = x.shape[x.rank - 1]!;
  const lead = x.shape.slice(0, -1);
  return Array.from({ length: n }, (_, i) => {
    const begin = x.shape.map((_, a) => (a === x.rank - 1 ? i : 0));
    const size = x.shape.map((d, a) => (a === x.rank - 1 ? 1 : d));
    return tf.reshape(tf.slice(x, begin, size), lead);
  });
}

/** `tf.split(x, sizes, -1)` built from slices (see {@link unstackLast}). */
export function splitLast(x: tf.Tensor, sizes: number[]): tf.Tensor[] {
  let offset = 0;
  return sizes.map((len) => {
    const begin = x.shape.map((_, a) => (a === x.rank - 1 ? offset : 0));
    const size = x.shape.map((d, a) => (a === x.rank - 1 ? len : d));
    offset += len;
    return tf.slice(x, begin, size);
  });
}
