import { relativeL2, tolerance } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it } from 'vitest';
import { correctCount, crossEntropy } from './losses';

describe('crossEntropy and correctCount', () => {
  it('is the batch mean of logsumexp(z) − z[y], as torch.nn.CrossEntropyLoss', async () => {
    const z = [
      [1, 2, 3],
      [0.5, -1, 0],
    ];
    const y = [2, 0];
    const expected =
      z.reduce(
        (s, row, i) =>
          s + Math.log(row.reduce((a, v) => a + Math.exp(v), 0)) - (row[y[i] as number] as number),
        0,
      ) / 2;
    const logits = tf.tensor2d(z);
    const labels = tf.tensor1d(y, 'int32');
    const loss = crossEntropy(logits, labels);
    const hits = correctCount(logits, labels);
    expect((await loss.data())[0]).toBeCloseTo(expected, 5);
    expect((await hits.data())[0]).toBe(2);
    const short = tf.tensor1d([1], 'int32');
    expect(() => crossEntropy(logits, short)).toThrow(/logits must be \[batch, classes\]/);
    tf.dispose([logits, labels, loss, hits, short]);
  });

  it('has the gradient of the formula written out (autodiff of logSoftmax, oneHot, mean)', async () => {
    const [ours, expected] = tf.tidy(() => {
      const z = tf.randomNormal([6, 5], 0, 3, 'float32', 1) as tf.Tensor2D;
      const y = tf.tensor1d([0, 4, 2, 2, 1, 3], 'int32');
      const plain = (t: tf.Tensor) =>
        tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(t as tf.Tensor2D), tf.oneHot(y, 5)), 1)));
      // scaled by 3, so the upstream gradient is not 1
      const loss = (f: (t: tf.Tensor) => tf.Tensor) => (t: tf.Tensor) => tf.mul(f(t), 3);
      return [tf.grad(loss((t) => crossEntropy(t as tf.Tensor2D, y)))(z), tf.grad(loss(plain))(z)];
    });
    expect(await relativeL2(ours!, expected!)).toBeLessThanOrEqual(tolerance('exact'));
    tf.dispose([ours!, expected!]);
  });
});
