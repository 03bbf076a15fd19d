import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { isWasmProject, seeded } from './parity.test-helpers';
import { registerWasmTrainingKernels } from './register';
import { SINE_LIMIT, sineModuleBytes } from './simd/sine-module';

describe('the SIMD sine module', () => {
  it('assembles to a valid wasm module', () => {
    expect(WebAssembly.validate(sineModuleBytes())).toBe(true);
  });
});

/** The largest |kernel − Math.sin/cos| over `values` (float64 of the float32 inputs). */
function maxError(values: Float32Array, op: 'sin' | 'cos'): number {
  const out = tf.tidy(() => {
    const x = tf.tensor1d(values);
    return (op === 'sin' ? tf.sin(x) : tf.cos(x)).dataSync();
  });
  const exact = op === 'sin' ? Math.sin : Math.cos;
  let worst = 0;
  values.forEach((v, i) => {
    worst = Math.max(worst, Math.abs(out[i]! - exact(v)));
  });
  return worst;
}

// wasm-only: the SIMD Sin and Cos against Math.sin and Math.cos in float64.
describe.skipIf(!isWasmProject())('Sin and Cos on wasm', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  // uniform in [−a, a) for growing a (the SIREN pre-activations ω·(Wx + b) are mostly within ±100)
  it.each([
    [4, 10001],
    [100, 4002],
    [SINE_LIMIT, 4003],
  ])(
    'within ±%i: within 1.2e-7 (two float32 ulps near 1) of float64 for sin and cos (length %i: a tail of 1–3)',
    (a, n) => {
      const r = seeded(a);
      const values = Float32Array.from({ length: n }, () => r(-a, a));
      for (const op of ['sin', 'cos'] as const) {
        expect(maxError(values, op), op).toBeLessThanOrEqual(1.2e-7);
      }
    },
  );

  it('every quadrant boundary and the points between: multiples of π/4', () => {
    const values = Float32Array.from({ length: 4001 }, (_, i) => ((i - 2000) * Math.PI) / 4);
    for (const op of ['sin', 'cos'] as const) {
      expect(maxError(values, op), op).toBeLessThanOrEqual(1.2e-7);
    }
  });

  it('beyond the kernel’s range, NaN and ±∞: the same values as libm (the stock kernel)', () => {
    const values = Float32Array.of(0, -0, 1e6, -3e7, 12345.678, Number.NaN, Infinity, -Infinity);
    const out = tf.tidy(() =>
      [tf.sin(tf.tensor1d(values)), tf.cos(tf.tensor1d(values))].map((t) =>
        Array.from(t.dataSync()),
      ),
    );
    values.forEach((v, i) => {
      for (const [k, exact] of [Math.sin, Math.cos].entries()) {
        const want = exact(v);
        if (Number.isNaN(want)) expect(out[k]![i]).toBeNaN();
        else
          expect(Math.abs(out[k]![i]! - want), `${k ? 'cos' : 'sin'}(${v})`).toBeLessThanOrEqual(
            2e-7,
          );
      }
    });
  });

  it('NaN and ±∞ inside a tensor the SIMD kernel runs give NaN', () => {
    const values = Float32Array.of(1, Number.NaN, Infinity, -Infinity, 2, 3, 4, 5);
    const out = tf.tidy(() => Array.from(tf.sin(tf.tensor1d(values)).dataSync()));
    expect(out.slice(1, 4).every(Number.isNaN)).toBe(true);
    expect(Math.abs(out[0]! - Math.sin(1))).toBeLessThanOrEqual(1.2e-7);
  });

  it('leaves no tensor behind, on either path', () => {
    const before = tf.backend().numDataIds();
    tf.tidy(() => {
      tf.sin(tf.tensor1d([1, 2, 3, 4, 5]));
      tf.cos(tf.tensor1d([1e6, 2, 3, 4, 5]));
    });
    expect(tf.backend().numDataIds()).toBe(before);
  });
});
