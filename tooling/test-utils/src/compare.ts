/**
 * Comparisons of tensors or flat values. They read tensors with `await t.data()`, never
 * synchronously, so that they work on every backend, webgpu in Node included (where `dataSync`
 * is impossible); hence they return a Promise. Tensors passed in stay the caller's to dispose.
 */
import * as tf from '@tensorflow/tfjs-core';

type Values = ArrayLike<number>;

async function values(x: tf.Tensor | Values): Promise<Values> {
  return x instanceof tf.Tensor ? ((await x.data()) as Float32Array) : x;
}

/** ‖a − b‖₂ / ‖b‖₂ over flat values (b is the reference); 0 when both are all zero. */
export async function relativeL2(a: tf.Tensor | Values, b: tf.Tensor | Values): Promise<number> {
  const [av, bv] = await Promise.all([values(a), values(b)]);
  if (av.length !== bv.length) {
    throw new Error(`relativeL2: length mismatch ${av.length} vs ${bv.length}`);
  }
  let num = 0;
  let den = 0;
  for (let i = 0; i < av.length; i++) {
    const d = (av[i] as number) - (bv[i] as number);
    num += d * d;
    den += (bv[i] as number) ** 2;
  }
  if (den === 0) return Math.sqrt(num);
  return Math.sqrt(num / den);
}

/** max |a − b| over flat values. */
export async function maxAbsDiff(a: tf.Tensor | Values, b: tf.Tensor | Values): Promise<number> {
  const [av, bv] = await Promise.all([values(a), values(b)]);
  if (av.length !== bv.length)
    throw new Error(`maxAbsDiff: length mismatch ${av.length} vs ${bv.length}`);
  let m = 0;
  for (let i = 0; i < av.length; i++)
    m = Math.max(m, Math.abs((av[i] as number) - (bv[i] as number)));
  return m;
}
