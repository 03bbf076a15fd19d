import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, isWasmProject, randomValues } from './parity.test-helpers';
import { PER_CHANNEL_MIX, PER_CHANNEL_MIX_FILTER } from './per-channel-mix';
import { registerWasmTrainingKernels } from './register';
import { BLOCK, perChannelMixModuleBytes } from './simd/per-channel-mix-module';

describe('the SIMD per-channel mixing module', () => {
  it('assembles to a valid wasm module', () => {
    expect(WebAssembly.validate(perChannelMixModuleBytes())).toBe(true);
  });
});

type Sizes = [m: number, s: number, t: number, c: number];

/** `Σ_s x[m, s, c]·w[s, t, c]` in float64: `[m, t, c]`. */
function mix(x: Float32Array, w: Float32Array, [m, s, t, c]: Sizes): Float64Array {
  const out = new Float64Array(m * t * c);
  for (let row = 0; row < m; row++)
    for (let tt = 0; tt < t; tt++)
      for (let ch = 0; ch < c; ch++)
        for (let ss = 0; ss < s; ss++)
          out[(row * t + tt) * c + ch]! += x[(row * s + ss) * c + ch]! * w[(ss * t + tt) * c + ch]!;
  return out;
}

/** `Σ_m x[m, s, c]·dy[m, t, c]` in float64: `[s, t, c]`. */
function filter(x: Float32Array, dy: Float32Array, [m, s, t, c]: Sizes): Float64Array {
  const out = new Float64Array(s * t * c);
  for (let row = 0; row < m; row++)
    for (let ss = 0; ss < s; ss++)
      for (let tt = 0; tt < t; tt++)
        for (let ch = 0; ch < c; ch++)
          out[(ss * t + tt) * c + ch]! +=
            x[(row * s + ss) * c + ch]! * dy[(row * t + tt) * c + ch]!;
  return out;
}

const run = (name: string, inputs: Record<string, tf.Tensor>) =>
  tf.tidy(() => Float32Array.from((tf.engine().runKernel(name, inputs) as tf.Tensor).dataSync()));

// wasm-only: the kernels against their sums in float64.
describe.skipIf(!isWasmProject())('GcnnPerChannelMix and GcnnPerChannelMixFilter on wasm', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  // 3 channels: one element at a time; 4 and 20: 4 lanes; 16 and 32: 16 lanes. Rows: fewer than
  // one block, and blocks plus a partial one.
  const cases: Sizes[] = [];
  for (const c of [3, 4, 16, 20, 32]) cases.push([5, 3, 3, c], [2 * BLOCK + 7, 2, 5, c]);

  it.each(cases)('%i rows, S = %i, T = %i, %i channels: the sums', (m, s, t, c) => {
    const xv = randomValues(m * s * c, m + c);
    const wv = randomValues(s * t * c, s + t + c);
    const dyv = randomValues(m * t * c, 2 * m + c);
    const [x, w, dy] = [
      tf.tensor3d(xv, [m, s, c]),
      tf.tensor3d(wv, [s, t, c]),
      tf.tensor3d(dyv, [m, t, c]),
    ];
    const before = tf.memory().numTensors;
    expectClose(run(PER_CHANNEL_MIX, { x, w }), mix(xv, wv, [m, s, t, c]), 1e-5, 'mix');
    expectClose(
      run(PER_CHANNEL_MIX_FILTER, { x, dy }),
      filter(xv, dyv, [m, s, t, c]),
      1e-5,
      'filter',
    );
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w, dy]);
  });

  it('rejects shapes it cannot read, naming the kernel', () => {
    tf.tidy(() => {
      const x = tf.zeros([4, 3, 8]);
      expect(() => tf.engine().runKernel(PER_CHANNEL_MIX, { x, w: tf.zeros([2, 3, 8]) })).toThrow(
        /GcnnPerChannelMix \(wasm, @gcnn\/tfjs-wasm-training\): w must be \[S, T, C\] for x \[M, S, C\], got x float32 \[4,3,8\] and w float32 \[2,3,8\]/,
      );
      expect(() =>
        tf.engine().runKernel(PER_CHANNEL_MIX_FILTER, { x, dy: tf.zeros([4, 3, 4]) }),
      ).toThrow(/GcnnPerChannelMixFilter .*dy must be \[M, T, C\]/);
      expect(() => tf.engine().runKernel(PER_CHANNEL_MIX, { x: tf.zeros([4, 24]), w: x })).toThrow(
        /x and w must be rank 3/,
      );
      expect(() =>
        tf.engine().runKernel(PER_CHANNEL_MIX, { x: tf.zeros([4, 3, 8], 'int32'), w: x }),
      ).toThrow(/needs float32 x and w/);
    });
  });
});
