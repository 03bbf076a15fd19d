import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, isWasmProject, onWasmAndCpu, randomValues } from './parity.test-helpers';
import { registerWasmTrainingKernels } from './register';
import { simdRowReductionApplies } from './row-reductions';
import { rowSumModuleBytes } from './simd/row-sum-module';

describe('the SIMD row-sum module', () => {
  it('assembles to a valid wasm module', () => {
    expect(WebAssembly.validate(rowSumModuleBytes())).toBe(true);
  });
});

// wasm-only: sums and means over the innermost axes (SIMD) and over others (stock) against cpu.
describe.skipIf(!isWasmProject())('sum and mean on wasm equal cpu', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  const cases: Array<[number[], number | number[], boolean]> = [
    [[16, 1000], 1, true],
    [[3, 5], 1, true], // rows shorter than one 16-lane block
    [[4, 33], -1, true], // 2 blocks and a tail of 1
    [[2, 3, 4, 17], [2, 3], true],
    [[2, 3, 4, 5, 6], [1, 2, 3, 4], true],
    [[37], 0, true], // the whole tensor
    [[6, 9], 0, false], // not innermost: the stock kernel transposes
    [[2, 3, 4], [0, 2], false],
  ];
  it.each(cases)('over %j, axis %j (SIMD: %s), keepDims both ways', async (shape, axis, simd) => {
    const x0 = tf.zeros(shape);
    expect(simdRowReductionApplies(x0, axis)).toBe(simd);
    x0.dispose();
    const values = randomValues(
      shape.reduce((a, b) => a * b, 1),
      shape.length,
    ).map((v, i) => v * 10 + (i % 7)); // an offset, so the sums are not near 0
    for (const keepDims of [false, true]) {
      const { wasm, cpu } = await onWasmAndCpu(() =>
        tf.tidy(() => {
          const x = tf.tensor(values, shape);
          return [tf.sum(x, axis, keepDims), tf.mean(x, axis, keepDims)].map((t) => ({
            shape: t.shape,
            values: t.dataSync().slice(),
          }));
        }),
      );
      for (let k = 0; k < 2; k++) {
        expect(wasm[k]!.shape).toEqual(cpu[k]!.shape);
        expectClose(wasm[k]!.values, cpu[k]!.values, 1e-6, `${k ? 'mean' : 'sum'} ${keepDims}`);
      }
    }
  });

  it('int32 sums run the stock kernel (exact integers)', async () => {
    const { wasm, cpu } = await onWasmAndCpu(() =>
      tf.tidy(() =>
        Array.from(tf.sum(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), 1).dataSync()),
      ),
    );
    expect(wasm).toEqual(cpu);
  });
});
