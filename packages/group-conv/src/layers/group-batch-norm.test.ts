/**
 * GroupBatchNorm's gradients through rank-5 feature maps (tfjs's own batchNorm gradient fails
 * beyond rank 4): in training, with PyTorch's batch statistics, and in inference, with the
 * running statistics (a frozen norm in fine-tuning).
 */

import { relativeL2, tolerance } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it, vi } from 'vitest';
import { BATCH_NORM_KERNELS, GroupBatchNorm } from './group-batch-norm';

/**
 * (x − mean)/√(var + ε)·γ + β over every axis but the last, written out with plain ops on the
 * `[n, C]` view of x: tfjs-backend-webgpu 4.22 cannot broadcast a `[C]` tensor over a rank-5 one
 * (its shared-memory binary-op shader indexes a `vec5` struct, fails to compile and leaves zeros),
 * and this reference must hold on every backend.
 */
function explicitBatchNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const flat = tf.reshape(x, [-1, x.shape[x.rank - 1]!]);
  const { mean, variance } = tf.moments(flat, 0);
  const normalised = tf.div(tf.sub(flat, mean), tf.sqrt(tf.add(variance, 1e-5)));
  return tf.reshape(tf.add(tf.mul(normalised, gamma), beta), x.shape);
}

describe('GroupBatchNorm training', () => {
  // 3 channels: the composite everywhere; 20: on wasm the SIMD kernels (a group of 16 channels
  // and one of 4), over 360 rows (more than one 256-row block of their sums)
  it.each([
    [3, [2, 3, 3, 4]],
    [20, [2, 5, 6, 6]],
  ])(
    '%i channels: the gradient of the explicit formula on [batch, h, w, G, C]',
    async (c, lead) => {
      const norm = new GroupBatchNorm({ channels: c });
      const out = tf.tidy(() => {
        norm.weight.assign(tf.randomUniform([c], -2, 2, 'float32', 5));
        norm.bias.assign(tf.randomUniform([c], -1, 1, 'float32', 6));
        const x = tf.add(
          tf.mul(tf.randomNormal([...lead, c], 0, 1, 'float32', 1), 3),
          tf.range(0, c),
        ) as tf.Tensor5D;
        const w = tf.randomNormal(x.shape, 0, 1, 'float32', 2);
        const ours = tf.grad((t: tf.Tensor) =>
          tf.sum(tf.mul(norm.apply(t as tf.Tensor5D, { training: true }), w)),
        )(x);
        const expected = tf.grad((t: tf.Tensor) =>
          tf.sum(tf.mul(explicitBatchNorm(t, norm.weight, norm.bias), w)),
        )(x);
        const { grads } = tf.variableGrads(
          () => tf.sum(tf.mul(norm.apply(x, { training: true }), w)),
          [norm.weight, norm.bias] as tf.Variable[],
        );
        const explicit = tf.variableGrads(
          () => tf.sum(tf.mul(explicitBatchNorm(x, norm.weight, norm.bias), w)),
          [norm.weight, norm.bias] as tf.Variable[],
        );
        const flat = tf.reshape(x, [-1, c]);
        const { mean, variance } = tf.moments(flat, 0);
        const n = flat.shape[0]!;
        return {
          ours,
          expected,
          grads,
          explicitGrads: explicit.grads,
          values: norm.apply(x, { training: true }),
          explicitValues: explicitBatchNorm(x, norm.weight, norm.bias),
          // three training passes above (ours, grads, values), each moving the running averages by momentum 0.1
          runningMean: norm.runningMean.clone(),
          expectedMean: tf.mul(mean, 1 - 0.9 ** 3),
          runningVar: norm.runningVar.clone(),
          expectedVar: tf.add(0.9 ** 3, tf.mul(variance, ((1 - 0.9 ** 3) * n) / (n - 1))),
        };
      });
      expect(await relativeL2(out.runningMean, out.expectedMean)).toBeLessThanOrEqual(
        tolerance('exact') * 10,
      );
      expect(await relativeL2(out.runningVar, out.expectedVar)).toBeLessThanOrEqual(
        tolerance('exact') * 10,
      );
      expect(await relativeL2(out.ours, out.expected)).toBeLessThanOrEqual(tolerance('exact') * 10);
      expect(Object.keys(out.grads)).toHaveLength(2);
      // the analytic gradient of γ and β and the values equal autodiff of the explicit formula
      for (const name of Object.keys(out.explicitGrads)) {
        expect(await relativeL2(out.grads[name]!, out.explicitGrads[name]!)).toBeLessThanOrEqual(
          tolerance('exact') * 10,
        );
      }
      expect(await relativeL2(out.values, out.explicitValues)).toBeLessThanOrEqual(
        tolerance('exact') * 10,
      );
      tf.dispose([
        out.ours,
        out.expected,
        ...Object.values(out.grads),
        ...Object.values(out.explicitGrads),
        out.values,
        out.explicitValues,
        out.runningMean,
        out.expectedMean,
        out.runningVar,
        out.expectedVar,
      ]);
      norm.dispose();
    },
  );

  it('runs BATCH_NORM_KERNELS in training where the backend registers them (wasm with @gcnn/tfjs-wasm-training)', () => {
    const registered = tf.getKernel(BATCH_NORM_KERNELS.forward, tf.getBackend()) !== undefined;
    expect(registered).toBe(tf.getBackend() === 'wasm');
    const norm = new GroupBatchNorm({ channels: 4 });
    const runKernel = vi.spyOn(tf.engine(), 'runKernel');
    tf.tidy(() => {
      const x = tf.randomNormal([2, 3, 3, 4, 4], 0, 1, 'float32', 1);
      tf.grad((t: tf.Tensor) => tf.sum(norm.apply(t as tf.Tensor5D, { training: true })))(x);
    });
    const names = runKernel.mock.calls.map((call) => call[0]);
    runKernel.mockRestore();
    norm.dispose();
    expect(names.includes(BATCH_NORM_KERNELS.forward)).toBe(registered);
    expect(names.includes(BATCH_NORM_KERNELS.backward)).toBe(registered);
  });

  it('in inference (running statistics) is differentiable on [batch, h, w, G, C], as in fine-tuning with frozen norms', async () => {
    const norm = new GroupBatchNorm({ channels: 4 });
    const out = tf.tidy(() => {
      norm.weight.assign(tf.tensor1d([0.5, 1.5, -2, 1]));
      norm.bias.assign(tf.tensor1d([0.1, 0, -0.3, 0.2]));
      norm.runningMean.assign(tf.tensor1d([0.3, -0.2, 0, 1]));
      norm.runningVar.assign(tf.tensor1d([2, 0.5, 1, 4]));
      const x = tf.randomNormal([2, 3, 3, 4, 4], 0, 1, 'float32', 3) as tf.Tensor5D;
      const w = tf.randomNormal(x.shape, 0, 1, 'float32', 4);
      // x·s + t with s = γ/√(σ² + ε), t = β − μ·s: dx = w·s, dγ = Σ w·(x − μ)/√(σ² + ε), dβ = Σ w
      const std = tf.sqrt(tf.add(norm.runningVar, 1e-5));
      const flatW = tf.reshape(w, [-1, 4]);
      const centered = tf.sub(tf.reshape(x, [-1, 4]), norm.runningMean);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(norm.apply(x), w)), [
        norm.weight,
        norm.bias,
      ] as tf.Variable[]);
      return {
        dx: tf.grad((t: tf.Tensor) => tf.sum(tf.mul(norm.apply(t as tf.Tensor5D), w)))(x),
        expectedDx: tf.mul(w, tf.div(norm.weight, std)),
        dGamma: grads[norm.weight.name]!,
        expectedDGamma: tf.sum(tf.mul(flatW, tf.div(centered, std)), 0),
        dBeta: grads[norm.bias.name]!,
        expectedDBeta: tf.sum(flatW, 0),
      };
    });
    expect(await relativeL2(out.dx, out.expectedDx)).toBeLessThanOrEqual(tolerance('exact') * 10);
    expect(await relativeL2(out.dGamma, out.expectedDGamma)).toBeLessThanOrEqual(
      tolerance('exact') * 10,
    );
    expect(await relativeL2(out.dBeta, out.expectedDBeta)).toBeLessThanOrEqual(
      tolerance('exact') * 10,
    );
    tf.dispose(Object.values(out));
    norm.dispose();
  });
});
