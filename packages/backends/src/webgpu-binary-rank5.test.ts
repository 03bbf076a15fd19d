/**
 * Binary ops between a rank-5/6 tensor and a rank-1 tensor (a channel bias, a per-channel mean)
 * equal the cpu backend's — the minimal reproduction of issue 7's second webgpu bug:
 * tfjs-backend-webgpu 4.22 compiles no shader for them (`cannot index type 'vec5'`) and leaves
 * the output unwritten (zeros or stale data) when it runs the op on the GPU. It runs small ops on
 * the CPU when their inputs are still there (`WEBGPU_CPU_FORWARD`), so the test turns that off.
 * On webgpu the setup selected the backend through selectBackend, which installs gcnn's fix.
 */

import { testBackend, tolerance } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

const backend = testBackend();

/** `op(x, v)` and `op(v, x)` with `x` `[...shape]` and `v` `[last]`, read back. */
async function results(op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, shape: number[]) {
  const out = tf.tidy(() => {
    // abs(…) + 0.5: positive values, so div and pow are tame
    const x = tf.add(tf.abs(tf.randomNormal(shape, 0, 1, 'float32', 1)), 0.5);
    const v = tf.add(tf.abs(tf.randomNormal([shape.at(-1)!], 0, 1, 'float32', 2)), 0.5);
    return [op(x, v), op(v, x)];
  });
  const values = await Promise.all(out.map((t) => t.data()));
  tf.dispose(out);
  return values as Float32Array[];
}

function relativeError(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

describe.skipIf(backend === 'cpu')(`rank-5/6 ⊕ rank-1 binary ops: ${backend} vs cpu`, () => {
  const ops: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
    ['add', tf.add],
    ['sub', tf.sub],
    ['mul', tf.mul],
    ['div', tf.div],
    ['maximum', tf.maximum],
    ['squaredDifference', tf.squaredDifference],
    ['pow', tf.pow],
  ];
  for (const shape of [
    [1, 5, 5, 4, 2],
    [2, 3, 3, 4, 127],
    [2, 2, 2, 2, 2, 3],
  ]) {
    it(`[${shape}] with [${shape.at(-1)}]`, async () => {
      for (const [name, op] of ops) {
        const forward = backend === 'webgpu' && tf.env().getBool('WEBGPU_CPU_FORWARD');
        if (forward) tf.env().set('WEBGPU_CPU_FORWARD', false);
        let here: Float32Array[];
        try {
          here = await results(op, shape);
        } finally {
          if (forward) tf.env().set('WEBGPU_CPU_FORWARD', true);
        }
        await tf.setBackend('cpu');
        let reference: Float32Array[];
        try {
          reference = await results(op, shape);
        } finally {
          await tf.setBackend(backend);
        }
        for (const k of [0, 1])
          expect(
            relativeError(here[k]!, reference[k]!),
            `${name} (order ${k})`,
          ).toBeLessThanOrEqual(tolerance('exact'));
      }
    });
  }
});
