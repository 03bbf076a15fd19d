/**
 * mixMatMul (matMul whose gradients use explicitly transposed operands, for wasm speed) gives
 * tf.matMul's values and gradients, for rank 2 and batched rank 3.
 */

import { relativeL2, tolerance } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it } from 'vitest';
import { mixMatMul } from './mat-mul';

describe('mixMatMul', () => {
  for (const [name, aShape, bShape] of [
    ['rank 2', [37, 12], [12, 9]],
    ['rank 3', [3, 21, 5], [3, 5, 7]],
  ] as const) {
    it(`equals tf.matMul in value and gradients (${name})`, async () => {
      const [ours, expected, da, db, ea, eb] = tf.tidy(() => {
        const a = tf.randomNormal<tf.Rank>([...aShape], 0, 1, 'float32', 1) as tf.Tensor2D;
        const b = tf.randomNormal<tf.Rank>([...bShape], 0, 1, 'float32', 2) as tf.Tensor2D;
        const ours = mixMatMul(a, b);
        const expected = tf.matMul(a, b);
        const w = tf.randomNormal(expected.shape, 0, 1, 'float32', 3);
        const loss = (f: typeof mixMatMul) => (x: tf.Tensor, y: tf.Tensor) =>
          tf.sum(tf.mul(f(x as tf.Tensor2D, y as tf.Tensor2D), w));
        const [da, db] = tf.grads(loss(mixMatMul))([a, b]);
        const [ea, eb] = tf.grads(loss((x, y) => tf.matMul(x, y)))([a, b]);
        return [ours, expected, da!, db!, ea!, eb!];
      });
      expect(await relativeL2(ours!, expected!)).toBeLessThanOrEqual(tolerance('exact'));
      expect(await relativeL2(da!, ea!)).toBeLessThanOrEqual(tolerance('exact'));
      expect(await relativeL2(db!, eb!)).toBeLessThanOrEqual(tolerance('exact'));
      tf.dispose([ours!, expected!, da!, db!, ea!, eb!]);
    });
  }

  it('rejects mismatched ranks', () => {
    tf.tidy(() => {
      expect(() =>
        mixMatMul(tf.zeros([2, 3]) as tf.Tensor2D, tf.zeros([1, 3, 2]) as never),
      ).toThrow(/rank 2 or both rank 3/);
    });
  });
});
