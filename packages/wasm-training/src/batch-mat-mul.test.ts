import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { transposedAApplies } from './batch-mat-mul';
import { expectClose, isWasmProject, onWasmAndCpu, randomValues } from './parity.test-helpers';
import { registerWasmTrainingKernels } from './register';
import { transposedAMatMulModuleBytes } from './simd/transposed-a-mat-mul-module';

describe('the SIMD transposed-a matMul module', () => {
  it('assembles to a valid wasm module', () => {
    expect(WebAssembly.validate(transposedAMatMulModuleBytes())).toBe(true);
  });
});

// wasm-only: BatchMatMul with transposed operands (SIMD aᵀ·b, explicit transposes otherwise)
// against tfjs-backend-cpu.
describe.skipIf(!isWasmProject())('transposed-operand BatchMatMul on wasm equals cpu', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  // [a shape, b shape, transposeA, transposeB, SIMD aᵀ·b]
  const cases: Array<[number[], number[], boolean, boolean, boolean]> = [
    [[300, 8], [300, 16], true, false, true], // K = 300: two full blocks of 128 rows and a partial one
    [[12544, 64], [12544, 64], true, false, true], // the Fourier-form mixings' weight gradient
    [[5, 4], [5, 8], true, false, true], // fewer rows than a block, one tile
    [[2, 129, 12], [2, 129, 24], true, false, true], // batched, K one past a block
    [[37, 6], [37, 8], true, false, false], // M % 4 ≠ 0: explicit transpose
    [[37, 8], [37, 12], true, false, false], // N % 8 ≠ 0
    [[1, 37, 8], [3, 37, 8], true, false, false], // broadcast batch
    [[40, 24], [16, 24], false, true, false], // b transposed
    [[2, 24, 40], [2, 16, 24], true, true, false], // both
  ];
  it.each(cases)(
    '%j · %j, transposeA %s, transposeB %s (SIMD: %s)',
    async (aShape, bShape, ta, tb, simd) => {
      const info = (shape: number[]) => ({ shape, dtype: 'float32' }) as unknown as tf.TensorInfo;
      expect(transposedAApplies(info(aShape), info(bShape), ta, tb)).toBe(simd);
      const av = randomValues(tf.util.sizeFromShape(aShape), aShape.length + aShape[0]!);
      const bv = randomValues(tf.util.sizeFromShape(bShape), 7 * bShape.length + 1);
      const { wasm, cpu } = await onWasmAndCpu(() =>
        tf.tidy(() => {
          const y = tf.matMul(tf.tensor(av, aShape), tf.tensor(bv, bShape), ta, tb);
          return { shape: y.shape, values: y.dataSync().slice() };
        }),
      );
      expect(wasm.shape).toEqual(cpu.shape);
      expectClose(wasm.values, cpu.values, 1e-5, 'matMul');
    },
  );
});
