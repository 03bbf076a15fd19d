/**
 * GroupBatchNorm in training: PyTorch's batch statistics and running-statistic update, and a
 * gradient through rank-5 feature maps (tfjs's own batchNorm gradient fails beyond rank 4).
 */

import { relativeL2, tolerance } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it } from 'vitest';
import { GroupBatchNorm } from './group-batch-norm';

/** (x − mean)/√(var + ε)·γ + β over every axis but the last, written out with plain ops. */
function explicitBatchNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma), beta);
}

describe('GroupBatchNorm training', () => {
  it('has the gradient of the explicit formula on [batch, h, w, G, C]', () => {
    const norm = new GroupBatchNorm({ channels: 3 });
    tf.tidy(() => {
      norm.weight.assign(tf.tensor1d([0.5, 1.5, -2]));
      norm.bias.assign(tf.tensor1d([0.1, 0, -0.3]));
      const x = tf.randomNormal([2, 3, 3, 4, 3], 0, 1, 'float32', 1) as tf.Tensor5D;
      const w = tf.randomNormal(x.shape, 0, 1, 'float32', 2);
      const ours = tf.grad((t: tf.Tensor) =>
        tf.sum(tf.mul(norm.apply(t as tf.Tensor5D, { training: true }), w)),
      )(x);
      const expected = tf.grad((t: tf.Tensor) =>
        tf.sum(tf.mul(explicitBatchNorm(t, norm.weight, norm.bias), w)),
      )(x);
      expect(relativeL2(ours, expected)).toBeLessThanOrEqual(tolerance('exact') * 10);
      const { grads } = tf.variableGrads(
        () => tf.sum(tf.mul(norm.apply(x, { training: true }), w)),
        [norm.weight, norm.bias] as tf.Variable[],
      );
      expect(Object.keys(grads)).toHaveLength(2);
      // the analytic gradient of γ and β and the values equal autodiff of the explicit formula
      const explicit = tf.variableGrads(
        () => tf.sum(tf.mul(explicitBatchNorm(x, norm.weight, norm.bias), w)),
        [norm.weight, norm.bias] as tf.Variable[],
      );
      for (const name of Object.keys(explicit.grads)) {
        expect(relativeL2(grads[name]!, explicit.grads[name]!)).toBeLessThanOrEqual(
          tolerance('exact') * 10,
        );
      }
      expect(
        relativeL2(norm.apply(x, { training: true }), explicitBatchNorm(x, norm.weight, norm.bias)),
      ).toBeLessThanOrEqual(tolerance('exact') * 10);
    });
    norm.dispose();
  });
});
