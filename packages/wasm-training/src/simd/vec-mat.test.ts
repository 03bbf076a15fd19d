import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, isWasmProject, onWasmAndCpu, randomValues } from '../parity.test-helpers';
import { registerWasmTrainingKernels } from '../register';
import { vecMatKernel, vecMatModuleBytes } from './vec-mat-module';

describe('the SIMD vector × matrix module', () => {
  it('assembles to a valid wasm module', () => {
    expect(WebAssembly.validate(vecMatModuleBytes())).toBe(true);
  });
});

// wasm-only: BatchMatMul's row-vector path (and its fallbacks) against tfjs-backend-cpu.
describe.skipIf(!isWasmProject())('BatchMatMul on wasm equals cpu', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  // N = 4, 12 (unroll 1), 16 (4), 32, 64 (8); K up to the norms' 100352 rows
  const cases: Array<[number[], number[]]> = [];
  for (const k of [1, 7, 1000, 100352])
    for (const n of [4, 12, 16, 32, 64]) {
      if (k * n > 4e6) continue;
      cases.push([
        [1, k],
        [k, n],
      ]);
    }
  cases.push(
    [
      [1, 1, 300],
      [1, 300, 8],
    ],
    [
      [1, 300],
      [1, 300, 8],
    ],
    [
      [1, 1, 1, 9],
      [9, 20],
    ],
  );

  it.each(cases)('%j · %j (row vector path)', async (aShape, bShape) => {
    // the case must reach the SIMD kernel (else it would test the stock kernel again)
    const memory = (tf.backend() as unknown as { wasm: { asm: { memory: WebAssembly.Memory } } })
      .wasm.asm.memory;
    expect(vecMatKernel(memory, bShape[bShape.length - 1]!)).not.toBeNull();
    const av = randomValues(tf.util.sizeFromShape(aShape), aShape.length + bShape[1]!);
    const bv = randomValues(tf.util.sizeFromShape(bShape), 7 * bShape.length + 1);
    const run = () =>
      tf.tidy(() => {
        const y = tf.matMul(tf.tensor(av, aShape), tf.tensor(bv, bShape));
        return { shape: y.shape, values: y.dataSync().slice() };
      });
    const { wasm, cpu } = await onWasmAndCpu(run);
    expect(wasm.shape).toEqual(cpu.shape);
    expectClose(wasm.values, cpu.values, 1e-5, 'a·b');
  });

  it.each([
    [[2, 5], [5, 8], false, false],
    [[1, 5], [5, 6], false, false], // N % 4 ≠ 0
    [[1, 5], [3, 5, 8], false, false], // batch 3 in b
    [[5, 1], [5, 8], true, false],
    [[1, 5], [8, 5], false, true],
  ] as Array<[number[], number[], boolean, boolean]>)(
    '%j · %j (transposeA %s, transposeB %s) takes the stock kernel and equals cpu',
    async (aShape, bShape, ta, tb) => {
      const av = randomValues(tf.util.sizeFromShape(aShape), 3);
      const bv = randomValues(tf.util.sizeFromShape(bShape), 4);
      const run = () =>
        tf.tidy(() => {
          const y = tf.matMul(tf.tensor(av, aShape), tf.tensor(bv, bShape), ta, tb);
          return { shape: y.shape, values: y.dataSync().slice() };
        });
      const { wasm, cpu } = await onWasmAndCpu(run);
      expect(wasm.shape).toEqual(cpu.shape);
      expectClose(wasm.values, cpu.values, 1e-5, 'a·b');
    },
  );
});
