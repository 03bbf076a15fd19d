import * as tf from '@tensorflow/tfjs-core';
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
});
