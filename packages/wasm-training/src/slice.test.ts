import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { isWasmProject, onWasmAndCpu, seeded } from './parity.test-helpers';
import { registerWasmTrainingKernels } from './register';
import { sliceConfig, splitVConfig, unpackConfig } from './slice';

// wasm-only: the Slice and SplitV kernels (copies of runs of the heap) against cpu, exactly.
describe.skipIf(!isWasmProject())('slice and split on wasm equal cpu', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  it('takes our kernels', () => {
    expect(tf.getKernel('Slice', 'wasm')).toBe(sliceConfig);
    expect(tf.getKernel('SplitV', 'wasm')).toBe(splitVConfig);
    expect(tf.getKernel('Unpack', 'wasm')).toBe(unpackConfig);
  });

  const cases: Array<[number[], number[], number[]]> = [
    [[10], [3], [5]],
    [
      [4, 6],
      [1, 0],
      [2, 6],
    ], // whole rows: one run
    [
      [4, 6],
      [1, 2],
      [3, 3],
    ],
    [
      [3, 4, 5],
      [0, 1, 0],
      [3, 2, 5],
    ],
    [
      [3, 4, 5],
      [1, 1, 2],
      [2, 3, 2],
    ],
    [
      [2, 3, 4, 5],
      [1, 0, 1, 1],
      [1, 3, 2, 4],
    ],
    [
      [2, 3, 2, 4, 3],
      [0, 1, 0, 1, 0],
      [2, 2, 2, 2, 3],
    ],
    [
      [2, 3, 2, 4, 3],
      [1, 2, 1, 3, 2],
      [1, 1, 1, 1, 1],
    ],
    [
      [5, 4],
      [2, 1],
      [0, 3],
    ], // empty
  ];
  it.each(cases)(
    'slice of %j at %j, size %j (float32, int32, bool)',
    async (shape, begin, size) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const r = seeded(n + begin.length);
      const values = Array.from({ length: n }, () => Math.floor(r(-50, 50)));
      for (const dtype of ['float32', 'int32', 'bool'] as const) {
        const { wasm, cpu } = await onWasmAndCpu(() =>
          tf.tidy(() => {
            const x = tf.tensor(values, shape, dtype);
            const y = tf.slice(x, begin, size);
            return { shape: y.shape, values: Array.from(y.dataSync()) };
          }),
        );
        expect(wasm, dtype).toEqual(cpu);
      }
    },
  );

  it('split into uneven parts along each axis', async () => {
    const shape = [6, 5, 4];
    const values = Array.from({ length: 120 }, (_, i) => i * 0.5 - 7);
    for (const [axis, parts] of [
      [0, [1, 3, 2]],
      [1, [2, 3]],
      [2, [1, 1, 2]],
      [0, 3],
    ] as const) {
      const { wasm, cpu } = await onWasmAndCpu(() =>
        tf.tidy(() =>
          tf
            .split(tf.tensor3d(values, shape as [number, number, number]), parts as never, axis)
            .map((t) => ({ shape: t.shape, values: Array.from(t.dataSync()) })),
        ),
      );
      expect(wasm, `axis ${axis}`).toEqual(cpu);
    }
  });

  it('unstack along each axis (float32, int32, bool)', async () => {
    const shape: [number, number, number] = [3, 4, 5];
    const values = Array.from({ length: 60 }, (_, i) => (i % 7) - 3);
    for (const dtype of ['float32', 'int32', 'bool'] as const)
      for (const axis of [0, 1, 2, -1]) {
        const { wasm, cpu } = await onWasmAndCpu(() =>
          tf.tidy(() =>
            tf
              .unstack(tf.tensor3d(values, shape, dtype), axis)
              .map((t) => ({ shape: t.shape, values: Array.from(t.dataSync()) })),
          ),
        );
        expect(wasm, `${dtype}, axis ${axis}`).toEqual(cpu);
        expect(wasm.length, `${dtype}, axis ${axis}`).toBe(shape.at(axis));
      }
  });
});
