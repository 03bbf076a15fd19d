import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { channelAffineApplies } from './fused-batch-norm';
import { expectClose, isWasmProject, onWasmAndCpu, randomValues } from './parity.test-helpers';
import { registerWasmTrainingKernels } from './register';
import { channelAffineModuleBytes } from './simd/channel-affine-module';

describe('the SIMD channel-affine module', () => {
  it('assembles to a valid wasm module', () => {
    expect(WebAssembly.validate(channelAffineModuleBytes())).toBe(true);
  });
});

// wasm-only: tf.batchNorm with per-channel statistics (SIMD) and other shapes (stock) against cpu.
describe.skipIf(!isWasmProject())('batchNorm on wasm equals cpu', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  // [x shape, statistics shape, with offset, with scale, SIMD]
  const cases: Array<[number[], number[], boolean, boolean, boolean]> = [
    [[2, 5, 5, 8, 32], [32], true, true, true], // group features, as GroupBatchNorm's inference
    [[7, 4], [4], true, true, true],
    [[3, 16], [16], false, true, true],
    [[3, 16], [16], true, false, true],
    [[3, 16], [16], false, false, true],
    [[12], [12], true, true, true], // rank 1: one row
    [[5, 6], [6], true, true, false], // C % 4 ≠ 0
    [[4, 3, 8], [3, 8], true, true, false], // statistics not a vector
  ];
  it.each(cases)(
    'x %j, statistics %j, offset %s, scale %s (SIMD: %s)',
    async (shape, stats, withOffset, withScale, simd) => {
      const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
      const xv = randomValues(size(shape), shape.length).map((v) => 4 * v + 1);
      const [mean, variance, offset, scale] = [1, 2, 3, 4].map((seed) =>
        randomValues(size(stats), seed),
      );
      const run = () =>
        tf.tidy(() => {
          const x = tf.tensor(xv, shape);
          const v = tf.abs(tf.tensor(variance!, stats));
          const y = tf.batchNorm(
            x,
            tf.tensor(mean!, stats),
            v,
            withOffset ? tf.tensor(offset!, stats) : undefined,
            withScale ? tf.tensor(scale!, stats) : undefined,
            1e-3,
          );
          return { shape: y.shape, values: y.dataSync().slice() };
        });
      if (tf.getBackend() === 'wasm') {
        const info = (s: number[]) =>
          ({ shape: s, dtype: 'float32', dataId: {} }) as unknown as tf.TensorInfo;
        const inputs: tf.NamedTensorInfoMap = {
          x: info(shape),
          mean: info(stats),
          variance: info(stats),
        };
        if (withOffset) inputs.offset = info(stats);
        if (withScale) inputs.scale = info(stats);
        expect(channelAffineApplies(inputs)).toBe(simd);
      }
      const { wasm, cpu } = await onWasmAndCpu(run);
      expect(wasm.shape).toEqual(cpu.shape);
      expectClose(wasm.values, cpu.values, 1e-5, 'batchNorm');
    },
  );
});
