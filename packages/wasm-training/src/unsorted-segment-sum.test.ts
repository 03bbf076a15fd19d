import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, isWasmProject, onWasmAndCpu, randomValues } from './parity.test-helpers';
import { registerWasmTrainingKernels } from './register';

// wasm-only: compares the wasm kernel with cpu (see register.test.ts for the cpu project).
describe.skipIf(!isWasmProject())('gather gradient / UnsortedSegmentSum on wasm', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  it.each([0, 1, 2])(
    'gather gradient along axis %i with repeated indices equals cpu',
    async (axis) => {
      const shape = [5, 4, 3];
      const xv = randomValues(60, 61 + axis);
      const idx = Int32Array.from([1, 0, 1, 3, 1, 2].map((i) => i % (shape[axis] as number)));
      const run = () =>
        tf.tidy(() => {
          const x = tf.tensor3d(xv, shape as [number, number, number]);
          const indices = tf.tensor1d(idx, 'int32');
          const y = tf.gather(x, indices, axis);
          const weights = tf.tensor(randomValues(y.size, 70), y.shape);
          return tf
            .grad((a: tf.Tensor) => tf.sum(tf.mul(tf.gather(a, indices, axis), weights)))(x)
            .dataSync()
            .slice();
        });
      const { wasm, cpu } = await onWasmAndCpu(run);
      expectClose(wasm, cpu, 1e-6, `gather grad axis ${axis}`);
    },
  );

  it('drops ids outside [0, numSegments) and sums duplicates, as cpu', async () => {
    const xv = randomValues(7 * 3, 80);
    const ids = Int32Array.from([2, -1, 0, 2, 5, 2, 1]);
    const run = () =>
      tf.tidy(() =>
        tf
          .unsortedSegmentSum(tf.tensor2d(xv, [7, 3]), tf.tensor1d(ids, 'int32'), 4)
          .dataSync()
          .slice(),
      );
    const { wasm, cpu } = await onWasmAndCpu(run);
    expect(wasm.length).toBe(12);
    expectClose(wasm, cpu, 1e-6, 'unsortedSegmentSum');
  });
});
