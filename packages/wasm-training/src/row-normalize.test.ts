import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, isWasmProject, onWasmAndCpu, randomValues } from './parity.test-helpers';
import { registerWasmTrainingKernels } from './register';
import { composite, compositeGrad, ROW_NORMALIZE, ROW_NORMALIZE_GRAD } from './row-normalize';
import { rowNormalizeModuleBytes } from './simd/row-normalize-module';

describe('the SIMD row-normalize module', () => {
  it('assembles to a valid wasm module', () => {
    expect(WebAssembly.validate(rowNormalizeModuleBytes())).toBe(true);
  });
});

/** The normalisation and its gradient written with tfjs ops (any backend). */
function reference(x: tf.Tensor, dy: tf.Tensor, axes: number[]) {
  const mean = tf.mean(x, axes, true);
  const d = tf.sub(x, mean);
  const std = tf.sqrt(tf.add(tf.mean(tf.square(d), axes, true), 1e-5));
  const y = tf.div(d, std);
  const meanDy = tf.mean(dy, axes, true);
  const meanDyY = tf.mean(tf.mul(dy, y), axes, true);
  const dx = tf.div(tf.sub(tf.sub(dy, meanDy), tf.mul(y, meanDyY)), std);
  return [y, std, dx];
}

// wasm-only: the fused layer-norm kernels against the same formula in tfjs ops.
describe.skipIf(!isWasmProject())('GcnnRowNormalize(Grad) on wasm', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  const cases: Array<[number[], number[]]> = [
    [[4, 100], [1]],
    [[3, 5], [1]], // rows shorter than one 16-lane block
    [
      [2, 3, 4, 5, 3],
      [1, 2, 3, 4],
    ], // 180 per row: 11 blocks and a tail of 4
    [[2, 7, 3], [2]],
  ];
  it.each(cases)(
    '[%j] over %j: the tfjs formula on wasm bit for bit, and cpu',
    async (shape, axes) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const xv = randomValues(size, size).map((v, i) => 3 * v + (i % 5));
      const dyv = randomValues(size, size + 1);
      const run = (fused: boolean) =>
        tf.tidy(() => {
          const x = tf.tensor(xv, shape);
          const dy = tf.tensor(dyv, shape);
          const out = fused
            ? [
                ...(tf
                  .engine()
                  .runKernel(ROW_NORMALIZE, { x }, { axes, epsilon: 1e-5 }) as tf.Tensor[]),
              ]
            : reference(x, dy, axes).slice(0, 2);
          const dx = fused
            ? (tf.engine().runKernel(
                ROW_NORMALIZE_GRAD,
                { dy, y: out[0]!, std: out[1]! },
                {
                  axes,
                },
              ) as tf.Tensor)
            : reference(x, dy, axes)[2]!;
          return [...out, dx].map((t) => ({ shape: t.shape, values: Array.from(t.dataSync()) }));
        });
      const fused = run(true);
      expect(fused).toEqual(run(false)); // the same float32 ops in the same order
      const { cpu } = await onWasmAndCpu(() => run(false));
      for (let k = 0; k < 3; k++)
        expectClose(fused[k]!.values, cpu[k]!.values, 1e-5, `output ${k}`);
    },
  );

  it('the composite fallback (engines without wasm SIMD) gives the same values', () => {
    const [shape, axes] = [
      [3, 4, 10],
      [1, 2],
    ];
    const xv = randomValues(120, 3);
    const dyv = randomValues(120, 4);
    const [simd, fallback] = [true, false].map((fused) =>
      tf.tidy(() => {
        const x = tf.tensor(xv, shape);
        const dy = tf.tensor(dyv, shape);
        const [y, std] = fused
          ? (tf.engine().runKernel(ROW_NORMALIZE, { x }, { axes, epsilon: 1e-5 }) as tf.Tensor[])
          : composite(tf.backend(), x, axes, 1e-5).map((t) =>
              tf.engine().makeTensorFromTensorInfo(t),
            );
        const dx = fused
          ? (tf
              .engine()
              .runKernel(ROW_NORMALIZE_GRAD, { dy, y: y!, std: std! }, { axes }) as tf.Tensor)
          : tf.engine().makeTensorFromTensorInfo(compositeGrad(tf.backend(), dy, y!, std!, axes));
        return [y!, std!, dx].map((t) => Array.from(t.dataSync()));
      }),
    );
    expect(fallback).toEqual(simd);
  });

  it('rejects axes that are not the innermost ones, naming the kernel', () => {
    const x = tf.zeros([2, 3, 4]);
    expect(() => tf.engine().runKernel(ROW_NORMALIZE, { x }, { axes: [1], epsilon: 1e-5 })).toThrow(
      /GcnnRowNormalize \(wasm, @gcnn\/tfjs-wasm-training\): needs float32 x and its innermost axes/,
    );
    x.dispose();
  });
});
