import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { GROUP_AXIS_MERGE, GROUP_AXIS_SPLIT } from './group-axis';
import { expectClose, isWasmProject, randomValues } from './parity.test-helpers';
import { registerWasmTrainingKernels } from './register';
import { groupAxisModuleBytes } from './simd/group-axis-module';

describe('the SIMD group-axis module', () => {
  it('assembles to a valid wasm module', () => {
    expect(WebAssembly.validate(groupAxisModuleBytes())).toBe(true);
  });
});

/** `split` in float64: x `[m, r, c]` → `[r/2, m, 2, c]`, `Σ_s t[2j + p, s]·x[m, s, c]`. */
function split(x: Float32Array, t: Float32Array, m: number, r: number, c: number): Float64Array {
  const out = new Float64Array(m * r * c);
  for (let row = 0; row < m; row++)
    for (let l = 0; l < r; l++)
      for (let ch = 0; ch < c; ch++) {
        let sum = 0;
        for (let s = 0; s < r; s++) sum += t[l * r + s]! * x[(row * r + s) * c + ch]!;
        out[((Math.floor(l / 2) * m + row) * 2 + (l % 2)) * c + ch] = sum;
      }
  return out;
}

/** `merge` in float64: x `[r/2, m, 2, c]` → `[m, r, c]`, `Σ_l t[s, l]·x[l/2, m, l%2, c]`. */
function merge(x: Float32Array, t: Float32Array, m: number, r: number, c: number): Float64Array {
  const out = new Float64Array(m * r * c);
  for (let row = 0; row < m; row++)
    for (let s = 0; s < r; s++)
      for (let ch = 0; ch < c; ch++) {
        let sum = 0;
        for (let l = 0; l < r; l++)
          sum += t[s * r + l]! * x[((Math.floor(l / 2) * m + row) * 2 + (l % 2)) * c + ch]!;
        out[(row * r + s) * c + ch] = sum;
      }
  return out;
}

/** The split's J slabs `[m, 2c]`, concatenated (the `[r/2, m, 2, c]` layout of `split`). */
const runSplit = (x: tf.Tensor, t: tf.Tensor) =>
  tf.tidy(() => {
    const slabs = tf.engine().runKernel(GROUP_AXIS_SPLIT, { x, basis: t }) as tf.Tensor[];
    expect(slabs.length).toBe(t.shape[0]! / 2);
    return Float32Array.from(slabs.flatMap((slab) => [...slab.dataSync()]));
  });

/** The merge of `[r/2, m, 2c]` passed as its r/2 slabs. */
const runMerge = (x: tf.Tensor3D, t: tf.Tensor) =>
  tf.tidy(() => {
    const slabs = Object.fromEntries(tf.unstack(x).map((slab, j) => [`slab${j}`, slab]));
    const out = tf.engine().runKernel(GROUP_AXIS_MERGE, { basis: t, ...slabs }) as tf.Tensor;
    return Float32Array.from(out.dataSync());
  });

// wasm-only: the kernels against their sums in float64.
describe.skipIf(!isWasmProject())('GcnnGroupAxisSplit and GcnnGroupAxisMerge on wasm', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  // 3 channels: one element at a time; 4: 4 lanes; 16: 16 lanes
  const cases: Array<[number, number, number]> = [];
  for (const r of [2, 4, 16]) for (const c of [3, 4, 16]) cases.push([r, c, 5]);

  it.each(cases)(
    'R = %i, %i channels, %i rows: the sums, and each the transpose of the other',
    (r, c, m) => {
      const xv = Float32Array.from(randomValues(m * r * c, r + c));
      const tv = Float32Array.from(randomValues(r * r, 2 * r + c));
      const yv = Float32Array.from(randomValues(m * r * c, 3 * r + c));
      const [x, t, y] = [
        tf.tensor2d(xv, [m, r * c]),
        tf.tensor2d(tv, [r, r]),
        tf.tensor2d(yv, [m, r * c]),
      ];
      const ids = tf.backend().numDataIds();
      const xs = runSplit(x, t);
      expect(tf.backend().numDataIds(), 'the pointer table is freed').toBe(ids);
      expectClose(xs, split(xv, tv, m, r, c), 1e-5, 'split');
      const slabs = tf.tensor3d(xs, [r / 2, m, 2 * c]);
      expectClose(runMerge(slabs, t), merge(xs, tv, m, r, c), 1e-5, 'merge');
      // ⟨split_t(x), z⟩ = ⟨x, merge_tᵀ(z)⟩ for any z [r/2, m, 2c]
      const tt = tf.transpose(t);
      const z = tf.tensor3d(yv, [r / 2, m, 2 * c]);
      const left = xs.reduce((a, v, i) => a + v * yv[i]!, 0);
      const back = runMerge(z, tt);
      const right = back.reduce((a, v, i) => a + v * xv[i]!, 0);
      expect(Math.abs(left - right)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(left)));
      tf.dispose([x, t, y, slabs, tt, z]);
    },
  );

  it('rejects shapes it cannot read, naming the kernel', () => {
    tf.tidy(() => {
      const t = tf.zeros([4, 4]);
      expect(() =>
        tf.engine().runKernel(GROUP_AXIS_SPLIT, { x: tf.zeros([3, 6]), basis: t }),
      ).toThrow(
        /GcnnGroupAxisSplit \(wasm, @gcnn\/tfjs-wasm-training\): x must be \[M, R·C\], got basis float32 \[4,4\] and x float32 \[3,6\]/,
      );
      expect(() =>
        tf.engine().runKernel(GROUP_AXIS_MERGE, {
          slab0: tf.zeros([3, 3]),
          slab1: tf.zeros([3, 3]),
          basis: t,
        }),
      ).toThrow(/GcnnGroupAxisMerge .*each slab must be \[M, 2·C\]/);
      expect(() =>
        tf.engine().runKernel(GROUP_AXIS_MERGE, { slab0: tf.zeros([3, 4]), basis: t }),
      ).toThrow(
        /the R\/2 slabs slab0 … slab<R\/2 − 1> must all be \[M, 2·C\], got basis float32 \[4,4\] and x float32 \[3,4\], missing/,
      );
      expect(() =>
        tf.engine().runKernel(GROUP_AXIS_MERGE, {
          slab0: tf.zeros([3, 4]),
          slab1: tf.zeros([2, 4]),
          basis: t,
        }),
      ).toThrow(/must all be \[M, 2·C\]/);
      expect(() =>
        tf.engine().runKernel(GROUP_AXIS_SPLIT, { x: tf.zeros([2, 6]), basis: tf.zeros([3, 3]) }),
      ).toThrow(/basis must be \[R, R\] with R even/);
      expect(() =>
        tf.engine().runKernel(GROUP_AXIS_SPLIT, { x: tf.zeros([2, 8], 'int32'), basis: t }),
      ).toThrow(/needs float32 x/);
    });
  });
});
