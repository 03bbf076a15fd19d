/**
 * The Fourier form of a block-circulant mixing: circulantBlocks is the mixing in the real Fourier
 * basis (every backend), and circulantMatMul (where the backend registers GROUP_AXIS_KERNELS: wasm
 * with @gcnn/tfjs-wasm-training) gives the dense product's values and gradients.
 */

import { relativeL2, testBackend, tolerance } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it } from 'vitest';
import { circulant } from './circulant.test-helpers';
import {
  circulantBlocks,
  circulantMatMul,
  circulantMixingPays,
  fourierBasis,
  GROUP_AXIS_KERNELS,
  useCirculantMixing,
} from './circulant-mixing';
import { withDenseMixings } from './dense-mixings';

/** The dense `[R·Ci, R·Co]` that splitting, multiplying by `blocks` and merging amounts to. */
function denseFromBlocks(blocks: tf.Tensor3D, r: number): tf.Tensor2D {
  const [j, twoCi, twoCo] = blocks.shape;
  const [ci, co] = [twoCi / 2, twoCo / 2];
  const { analysis, synthesis } = fourierBasis(r);
  const a = tf.reshape(tf.tensor2d(analysis, [r, r]), [j, 2, r]); // [j, p, s]
  const s = tf.transpose(tf.reshape(tf.tensor2d(synthesis, [r, r]), [r, j, 2]), [1, 2, 0]); // [j, q, s′]
  const b = tf.reshape(blocks, [j, 2, ci, 2, co]); // [j, p, ci, q, co]
  // W[s, ci, s′, co] = Σ_{j,p,q} a[j, p, s]·b[j, p, ci, q, co]·syn[j, q, s′]
  const left = tf.matMul(tf.transpose(a, [0, 2, 1]), tf.reshape(b, [j, 2, ci * 2 * co])); // [j, s, ci·q·co]
  const l2 = tf.transpose(tf.reshape(left, [j, r, ci, 2, co]), [0, 1, 2, 4, 3]); // [j, s, ci, co, q]
  const full = tf.matMul(tf.reshape(l2, [j, r * ci * co, 2]), s); // [j, s·ci·co, s′]
  const summed = tf.reshape(tf.sum(full, 0), [r, ci, co, r]);
  return tf.reshape(tf.transpose(summed, [0, 1, 3, 2]), [r * ci, r * co]) as tf.Tensor2D;
}

describe('circulantBlocks', () => {
  for (const [r, ci, co] of [
    [4, 3, 2],
    [8, 4, 4],
    [16, 2, 3],
  ] as const) {
    it(`is the circulant mixing in the real Fourier basis (R = ${r}, ${ci} → ${co})`, async () => {
      const [w, back] = tf.tidy(() => {
        const w = circulant(tf.randomNormal([r, ci, co], 0, 1, 'float32', r + ci) as tf.Tensor3D);
        return [w, denseFromBlocks(circulantBlocks(w, r), r)];
      });
      expect(await relativeL2(back!, w!)).toBeLessThanOrEqual(tolerance('exact'));
      tf.dispose([w!, back!]);
    });
  }

  it('projects a mixing that is not circulant onto the circulant ones (the average of each difference)', async () => {
    const r = 4;
    const [projected, expected] = tf.tidy(() => {
      const m = tf.randomNormal([r * 2, r * 3], 0, 1, 'float32', 5) as tf.Tensor2D;
      const blocks = tf.transpose(tf.reshape(m, [r, 2, r, 3]), [0, 2, 1, 3]); // [a, b, ci, co]
      const mean = tf.stack(
        Array.from({ length: r }, (_, d) =>
          tf.div(
            tf.addN(
              Array.from({ length: r }, (_, b) =>
                tf.reshape(tf.slice(blocks, [(b + d) % r, b, 0, 0], [1, 1, 2, 3]), [2, 3]),
              ),
            ),
            r,
          ),
        ),
      ) as tf.Tensor3D;
      return [denseFromBlocks(circulantBlocks(m, r), r), circulant(mean)];
    });
    expect(await relativeL2(projected!, expected!)).toBeLessThanOrEqual(tolerance('exact'));
    tf.dispose([projected!, expected!]);
  });

  it('rejects a mixing that is not [R·Cin, R·Cout] for an even R', () => {
    tf.tidy(() => {
      expect(() => circulantBlocks(tf.zeros([6, 8]) as tf.Tensor2D, 4)).toThrow(
        /mixing \[6,8\] is not \[R·Cin, R·Cout\] for an even R = 4/,
      );
      expect(() => circulantBlocks(tf.zeros([6, 6]) as tf.Tensor2D, 3)).toThrow(/even R = 3/);
    });
  });
});

describe('circulantMatMul', () => {
  it('runs where the backend registers GROUP_AXIS_KERNELS (wasm with @gcnn/tfjs-wasm-training)', () => {
    const registered = tf.getKernel(GROUP_AXIS_KERNELS.split, tf.getBackend()) !== undefined;
    expect(useCirculantMixing(8)).toBe(registered);
    expect(useCirculantMixing(2)).toBe(false);
    expect(useCirculantMixing(5)).toBe(false);
  });

  it('pays from a dense product of 0.4 GFLOP on (smaller mixings stay dense)', () => {
    // SE(2) separable 32 → 32 at 8 images per thread (0.82 GFLOP); the default model's 16 → 32 at
    // 32 per thread (0.41 GFLOP) and at 16 (0.21 GFLOP); its 32 → 32 at 16 per thread
    expect(circulantMixingPays(8 * 28 * 28, 8, 32, 32)).toBe(true);
    expect(circulantMixingPays(32 * 14 * 14, 8, 16, 32)).toBe(true);
    expect(circulantMixingPays(16 * 14 * 14, 8, 16, 32)).toBe(false);
    expect(circulantMixingPays(16 * 7 * 7, 8, 32, 32)).toBe(false);
  });

  it('is off inside withDenseMixings (freezeModel traces inference into graph ops), also after a throw', () => {
    const registered = tf.getKernel(GROUP_AXIS_KERNELS.split, tf.getBackend()) !== undefined;
    expect(withDenseMixings(() => withDenseMixings(() => useCirculantMixing(8)))).toBe(false);
    expect(() =>
      withDenseMixings(() => {
        throw new Error('inside');
      }),
    ).toThrow('inside');
    expect(useCirculantMixing(8)).toBe(registered);
  });

  // 16 channels take the 16-lane SIMD kernels, 4 the 4-lane ones, 3 the scalar loop
  for (const [r, ci, co, m] of [
    [8, 16, 32, 37],
    [16, 4, 8, 23],
    [4, 3, 5, 11],
  ] as const) {
    // the wasm project registers the kernels (tooling/test-setup/setup.ts); no other backend has them
    it.runIf(testBackend() === 'wasm')(
      `equals the dense product in value and gradients (R = ${r}, ${ci} → ${co}, ${m} rows)`,
      async () => {
        expect(useCirculantMixing(r)).toBe(true);
        const before = tf.memory().numTensors;
        const results = tf.tidy(() => {
          const x = tf.randomNormal([m, r * ci], 0, 1, 'float32', 1) as tf.Tensor2D;
          const w = tf.randomNormal([r, ci, co], 0, 1, 'float32', 2) as tf.Tensor3D;
          const dy = tf.randomNormal([m, r * co], 0, 1, 'float32', 3);
          const dense = (a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.mul(tf.matMul(a as tf.Tensor2D, circulant(b as tf.Tensor3D)), dy));
          const fourier = (a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(
              tf.mul(
                circulantMatMul(
                  a as tf.Tensor2D,
                  circulantBlocks(circulant(b as tf.Tensor3D), r),
                  r,
                ),
                dy,
              ),
            );
          const value = circulantMatMul(x, circulantBlocks(circulant(w), r), r);
          const expected = tf.matMul(x, circulant(w));
          return [value, expected, ...tf.grads(fourier)([x, w]), ...tf.grads(dense)([x, w])];
        });
        const [value, expected, dx, dw, ex, ew] = results as tf.Tensor[];
        expect(await relativeL2(value!, expected!)).toBeLessThanOrEqual(tolerance('exact'));
        expect(await relativeL2(dx!, ex!)).toBeLessThanOrEqual(tolerance('exact'));
        expect(await relativeL2(dw!, ew!)).toBeLessThanOrEqual(tolerance('exact'));
        tf.dispose(results);
        expect(tf.memory().numTensors).toBe(before);
      },
    );
  }
});
