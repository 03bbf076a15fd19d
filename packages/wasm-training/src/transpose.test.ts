import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { isWasmProject, onWasmAndCpu, seeded } from './parity.test-helpers';
import { registerWasmTrainingKernels } from './register';
import { mergeAxes, transposeConfig } from './transpose';

describe('mergeAxes', () => {
  it('merges input axes that stay neighbours and drops size-1 axes', () => {
    // a nonseparable kernel [Gout, Gin, k, k, Cout, Cin] into [k, k, Gin, Cin, Gout, Cout]
    expect(mergeAxes([8, 8, 7, 7, 32, 32], [2, 3, 1, 5, 0, 4])).toEqual({
      shape: [8, 8, 49, 32, 32],
      perm: [2, 1, 4, 0, 3],
    });
    expect(mergeAxes([2, 1, 3, 4], [2, 3, 1, 0])).toEqual({ shape: [2, 12], perm: [1, 0] });
    expect(mergeAxes([2, 3, 4], [0, 1, 2])).toEqual({ shape: [24], perm: [0] });
    expect(mergeAxes([1, 1], [1, 0])).toEqual({ shape: [1], perm: [0] });
    expect(mergeAxes([5, 1, 6, 1, 7], [4, 3, 0, 1, 2])).toEqual({
      shape: [30, 7],
      perm: [1, 0],
    });
  });
});

// wasm-only: the Transpose kernel against cpu, exactly
describe.skipIf(!isWasmProject())('transpose on wasm equals cpu', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  it('takes our kernel', () => {
    expect(tf.getKernel('Transpose', 'wasm')).toBe(transposeConfig);
  });

  const cases: Array<[number[], number[]]> = [
    [[7], [0]],
    [
      [3, 5],
      [1, 0],
    ],
    [
      [2, 3, 4],
      [2, 0, 1],
    ],
    [
      [2, 1, 3, 4],
      [3, 1, 0, 2],
    ],
    [
      [2, 3, 4, 5, 3],
      [4, 0, 1, 3, 2],
    ], // merges to 4 axes: the stock kernel
    [
      [2, 3, 4, 5, 3],
      [4, 0, 2, 1, 3],
    ], // 5 axes: our loop, inner axis strided
    [
      [3, 2, 4, 2, 5],
      [1, 0, 3, 2, 4],
    ], // inner axis kept: short contiguous runs, copied element by element
    [
      [2, 3, 2, 2, 64],
      [3, 1, 0, 2, 4],
    ], // inner axis kept: runs of 64, copied whole
    [
      [3, 2, 2, 3, 2, 4],
      [2, 3, 1, 5, 0, 4],
    ], // the nonseparable filter's permutation
    [
      [2, 3, 2, 1, 3, 2, 2],
      [6, 4, 0, 3, 2, 5, 1],
    ],
    [
      [2, 0, 3, 4, 5],
      [4, 3, 2, 1, 0],
    ], // empty
  ];
  it.each(cases)('transpose of %j by %j (float32, int32, bool)', async (shape, perm) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const r = seeded(n + 3 * shape.length);
    const values = Array.from({ length: n }, () => Math.floor(r(-50, 50)));
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      const { wasm, cpu } = await onWasmAndCpu(() =>
        tf.tidy(() => {
          const y = tf.transpose(tf.tensor(values, shape, dtype), perm);
          return { shape: y.shape, dtype: y.dtype, values: Array.from(y.dataSync()) };
        }),
      );
      expect(wasm, dtype).toEqual(cpu);
    }
  });

  it("gives transpose's gradient (the inverse permutation) as on cpu", async () => {
    const shape = [2, 3, 2, 3, 2];
    const perm = [3, 1, 4, 0, 2];
    const n = shape.reduce((a, b) => a * b, 1);
    const r = seeded(11);
    const [x, w] = [0, 1].map(() => Array.from({ length: n }, () => r(-1, 1)));
    const { wasm, cpu } = await onWasmAndCpu(() =>
      tf.tidy(() => {
        const wt = tf.tensor(
          w!,
          perm.map((p) => shape[p]!),
        );
        const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.transpose(t, perm), wt)))(
          tf.tensor(x!, shape),
        );
        return Array.from(dx.dataSync());
      }),
    );
    expect(wasm).toEqual(cpu);
  });
});
