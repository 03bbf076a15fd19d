import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { tilingWindows } from './max-pool-grad';
import { isWasmProject, onWasmAndCpu, seeded } from './parity.test-helpers';
import { registerWasmTrainingKernels } from './register';

// wasm-only: compares the wasm MaxPoolGrad with cpu (see register.test.ts for the cpu project).
describe.skipIf(!isWasmProject())('maxPool gradient on wasm equals cpu', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  const gradOf = (xv: Float32Array, shape: number[], k: number, s: number, pad: 'same' | 'valid') =>
    tf.tidy(() => {
      const x = tf.tensor4d(xv, shape as [number, number, number, number]);
      const y = tf.maxPool(x, k, s, pad);
      const weights = tf.reshape(tf.add(tf.range(0, y.size), 1), y.shape);
      const g = tf.grad((a: tf.Tensor) =>
        tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, k, s, pad), weights)),
      )(x);
      return g.dataSync().slice();
    });

  it('minimal all-negative window case from research/tooling.md §2.3', async () => {
    const xv = Float32Array.from([1, 2, -1, -2, 3, 4, -3, -4]);
    const { wasm, cpu } = await onWasmAndCpu(() =>
      tf.tidy(() =>
        tf
          .grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid')))(
            tf.tensor4d(xv, [1, 2, 4, 1]),
          )
          .dataSync()
          .slice(),
      ),
    );
    expect(Array.from(cpu)).toEqual([0, 0, 1, 0, 0, 1, 0, 0]);
    expect(Array.from(wasm)).toEqual(Array.from(cpu));
  });

  const cases: Array<[number, number, 'same' | 'valid']> = [
    [2, 2, 'valid'],
    [2, 2, 'same'],
    [3, 1, 'same'],
    [3, 1, 'valid'],
    [3, 2, 'same'],
    [3, 2, 'valid'],
  ];
  it.each(cases)(
    'size %i, stride %i, pad %s: negative windows and ties, exactly',
    async (k, s, pad) => {
      for (let trial = 0; trial < 4; trial++) {
        const r = seeded(300 * k + 10 * s + trial + (pad === 'same' ? 5 : 0));
        const shape = [
          1 + Math.floor(r(0, 3)),
          k + Math.floor(r(0, 7)),
          k + Math.floor(r(0, 7)),
          1 + Math.floor(r(0, 4)),
        ];
        const size = shape.reduce((a, b) => a * b);
        // Trials 0–1: continuous values in [−1, 1) (many all-negative windows); 2–3: integers in
        // [−4, 1] (ties everywhere), so tie-breaking must match cpu's first-in-row-major rule.
        const xv = Float32Array.from({ length: size }, () =>
          trial < 2 ? r(-1, 1) : Math.floor(r(-4, 2)),
        );
        const { wasm, cpu } = await onWasmAndCpu(() => gradOf(xv, shape, k, s, pad));
        expect(Array.from(wasm), `shape ${shape}`).toEqual(Array.from(cpu));
      }
    },
  );

  // Windows that tile the input with C % 4 = 0 take the SIMD kernel; the rest the JS pass.
  const tiled: Array<[number, [number, number, number, number], boolean]> = [
    [2, [2, 6, 8, 4], true],
    [2, [1, 7, 5, 8], true], // odd sizes: the last row and column belong to no window
    [3, [2, 9, 6, 16], true],
    [2, [1, 4, 4, 6], false], // C % 4 ≠ 0
  ];
  it.each(tiled)(
    'windows of size %i tiling %j (SIMD: %s): ties, −∞ and NaN, exactly',
    async (k, shape, simd) => {
      const info = tf.backend_util.computePool2DInfo(shape, k, k, 1, 'valid');
      expect(tilingWindows(info)).toBe(simd);
      for (let trial = 0; trial < 3; trial++) {
        const r = seeded(70 * k + shape[3] + trial);
        const size = shape.reduce((a, b) => a * b);
        const special = [Number.NEGATIVE_INFINITY, Number.NaN, 0, -0];
        const xv = Float32Array.from({ length: size }, () => {
          if (trial === 0) return r(-1, 1);
          if (trial === 1) return Math.floor(r(-4, 2));
          const u = r(0, 1);
          return u < 0.4 ? special[Math.floor(r(0, 4))]! : Math.floor(r(-2, 2));
        });
        const { wasm, cpu } = await onWasmAndCpu(() => gradOf(xv, shape, k, k, 'valid'));
        expect(Array.from(wasm), `trial ${trial}`).toEqual(Array.from(cpu));
      }
    },
  );

  it('windows of −∞ route nothing, as on cpu', async () => {
    const xv = Float32Array.from([-Infinity, -Infinity, -Infinity, -Infinity, 1, -Infinity, 2, 3]);
    const { wasm, cpu } = await onWasmAndCpu(() => gradOf(xv, [1, 2, 4, 1], 2, 2, 'valid'));
    expect(Array.from(wasm)).toEqual(Array.from(cpu));
  });
});
