/**
 * The layer and instance norms (one custom-gradient node each) give the values of the plain
 * formula (tf.moments, sub, div) and the gradients of its autodiff.
 */

import { relativeL2, tolerance } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it, vi } from 'vitest';
import { groupInstanceNorm, groupLayerNorm, ROW_NORMALIZE_KERNELS } from './group-norms';

/** The reference's formula, differentiated by tfjs. */
function plainNorm(x: tf.Tensor, axes: number[]): tf.Tensor {
  const { mean, variance } = tf.moments(x, axes, true);
  return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
}

const CASES = [
  ['layer', groupLayerNorm, [1, 2, 3, 4]],
  ['instance', groupInstanceNorm, [1, 2, 3]],
] as const;

describe('group norms', () => {
  for (const [name, norm, axes] of CASES) {
    for (const shape of [
      [2, 5, 4, 8, 3],
      [3, 1, 1, 4, 6],
    ] as const) {
      it(`${name} norm of [${shape}] equals the plain formula in value and gradient`, async () => {
        const [ours, expected, dx, ex] = tf.tidy(() => {
          // an offset and scale per sample, so the normalisation does something
          const x = tf.add(
            tf.mul(tf.randomNormal([...shape], 0, 1, 'float32', 1), 3),
            tf.randomNormal([shape[0], 1, 1, 1, shape[4]], 0, 5, 'float32', 2),
          ) as tf.Tensor5D;
          const w = tf.randomNormal([...shape], 0, 1, 'float32', 3);
          const loss = (f: (t: tf.Tensor5D) => tf.Tensor) => (t: tf.Tensor) =>
            tf.sum(tf.mul(f(t as tf.Tensor5D), w));
          return [
            norm(x),
            plainNorm(x, [...axes]),
            tf.grad(loss((t) => norm(t)))(x),
            tf.grad(loss((t) => plainNorm(t, [...axes])))(x),
          ];
        });
        expect(ours!.shape).toEqual([...shape]);
        expect(await relativeL2(ours!, expected!)).toBeLessThanOrEqual(tolerance('exact'));
        expect(await relativeL2(dx!, ex!)).toBeLessThanOrEqual(tolerance('exact'));
        tf.dispose([ours!, expected!, dx!, ex!]);
      });
    }
  }

  it('the layer norm runs ROW_NORMALIZE_KERNELS in training where the backend registers them (wasm with @gcnn/tfjs-wasm-training)', () => {
    const registered = tf.getKernel(ROW_NORMALIZE_KERNELS.forward, tf.getBackend()) !== undefined;
    expect(registered).toBe(tf.getBackend() === 'wasm');
    const runKernel = vi.spyOn(tf.engine(), 'runKernel');
    tf.tidy(() => {
      const x = tf.randomNormal([2, 3, 3, 4, 2], 0, 1, 'float32', 1);
      tf.grad((t: tf.Tensor) => tf.sum(groupLayerNorm(t as tf.Tensor5D)))(x);
    });
    const names = runKernel.mock.calls.map((c) => c[0]);
    runKernel.mockClear();
    // inference records no gradients: tfjs's own kernels (what freezeModel maps to graph ops)
    tf.tidy(() => {
      groupLayerNorm(tf.ones([1, 2, 2, 2, 2]) as tf.Tensor5D);
    });
    const inference = runKernel.mock.calls.map((c) => c[0]);
    runKernel.mockRestore();
    expect(names.includes(ROW_NORMALIZE_KERNELS.forward)).toBe(registered);
    expect(names.includes(ROW_NORMALIZE_KERNELS.backward)).toBe(registered);
    expect(inference).toContain('Mean');
    expect(inference).not.toContain(ROW_NORMALIZE_KERNELS.forward);
  });
});
