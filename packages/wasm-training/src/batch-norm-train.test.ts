import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BATCH_NORM_TRAIN,
  BATCH_NORM_TRAIN_GRAD,
  composite,
  compositeGrad,
} from './batch-norm-train';
import { expectClose, isWasmProject, randomValues } from './parity.test-helpers';
import { registerWasmTrainingKernels } from './register';
import { batchNormModuleBytes } from './simd/batch-norm-module';

describe('the SIMD batch-norm module', () => {
  it('assembles to a valid wasm module', () => {
    expect(WebAssembly.validate(batchNormModuleBytes())).toBe(true);
  });
});

/**
 * The forward's and gradient's outputs in float64 from the formulas, for x and dy `[n, c]`:
 * `[y, x̂, μ, σ², rstd, dx, dγ, dβ]`.
 */
function float64Reference(
  x: Float32Array,
  dy: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  n: number,
  c: number,
  epsilon: number,
): Float64Array[] {
  const out = [n * c, n * c, c, c, c, n * c, c, c].map((size) => new Float64Array(size));
  const [y, xhat, mean, variance, rstd, dx, dGamma, dBeta] = out as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  for (let j = 0; j < c; j++) {
    let s = 0;
    for (let r = 0; r < n; r++) s += x[r * c + j]!;
    mean[j] = s / n;
    let q = 0;
    for (let r = 0; r < n; r++) q += (x[r * c + j]! - mean[j]!) ** 2;
    variance[j] = q / n;
    rstd[j] = 1 / Math.sqrt(variance[j]! + epsilon);
    for (let r = 0; r < n; r++) {
      const i = r * c + j;
      xhat[i] = (x[i]! - mean[j]!) * rstd[j]!;
      y[i] = xhat[i]! * gamma[j]! + beta[j]!;
      dBeta[j] = dBeta[j]! + dy[i]!;
      dGamma[j] = dGamma[j]! + dy[i]! * xhat[i]!;
    }
    for (let r = 0; r < n; r++) {
      const i = r * c + j;
      dx[i] = ((gamma[j]! * rstd[j]!) / n) * (n * dy[i]! - dBeta[j]! - xhat[i]! * dGamma[j]!);
    }
  }
  return out;
}

/** Relative error allowed against float64 (float32 round-off of μ, of the sums and of x̂). */
const TOLERANCE = 1e-5;

const NAMES = ['y', 'xhat', 'mean', 'variance', 'rstd', 'dx', 'dGamma', 'dBeta'];

// wasm-only: the fused batch-norm kernels against the formulas in float64.
describe.skipIf(!isWasmProject())('GcnnBatchNormTrain(Grad) on wasm', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  /**
   * The kernels' eight outputs for `[n, c]` data, channel j with mean ≈ j and σ ≈ 1.7: float32's
   * μ alone puts (x − μ) off by up to |μ|·2⁻²⁴, ≈ 2e-6 of σ at j = 63 ({@link TOLERANCE}).
   */
  function run(n: number, c: number, kernels: 'simd' | 'composite') {
    const xv = randomValues(n * c, n + c).map((v, i) => 3 * v + (i % c));
    const dyv = randomValues(n * c, n + c + 1);
    const gv = randomValues(c, 7);
    const bv = randomValues(c, 8);
    const before = tf.backend().numDataIds();
    const values = tf.tidy(() => {
      const [x, dy] = [xv, dyv].map((v) => tf.tensor2d(v, [n, c]));
      const [gamma, beta] = [gv, bv].map((v) => tf.tensor1d(v));
      const be = tf.backend();
      const wrap = (infos: tf.TensorInfo[]) =>
        infos.map((t) => tf.engine().makeTensorFromTensorInfo(t));
      const forward =
        kernels === 'simd'
          ? (tf.engine().runKernel(
              BATCH_NORM_TRAIN,
              { x: x!, gamma: gamma!, beta: beta! },
              {
                epsilon: 1e-5,
              },
            ) as tf.Tensor[])
          : wrap(composite(be, x!, gamma!, beta!, 1e-5));
      const [, xhat, , , rstd] = forward;
      const backward =
        kernels === 'simd'
          ? (tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, {
              dy: dy!,
              xhat: xhat!,
              gamma: gamma!,
              rstd: rstd!,
            }) as tf.Tensor[])
          : wrap(compositeGrad(be, dy!, xhat!, gamma!, rstd!));
      return [...forward, ...backward].map((t) => Array.from(t.dataSync()));
    });
    expect(tf.backend().numDataIds(), 'wasm data ids leaked').toBe(before);
    return { values, expected: float64Reference(xv, dyv, gv, bv, n, c, 1e-5) };
  }

  // channel groups of 16 (and of 8 in the gradient's sums) and of 4; one row, a block of 256 rows
  // and a partial one, several blocks
  const cases: Array<[number, number]> = [
    [1, 4],
    [5, 32],
    [300, 20],
    [300, 36],
    [1030, 64],
  ];
  it.each(cases)('[%i, %i]: every output equals the float64 formulas', (n, c) => {
    const { values, expected } = run(n, c, 'simd');
    values.forEach((v, k) => {
      // rstd of one row is 1/√ε: the variance is 0 exactly in float64 and in float32
      expectClose(v, expected[k]!, TOLERANCE, `${NAMES[k]} of [${n}, ${c}]`);
    });
  });

  it('the composite (engines without wasm SIMD, C % 4 ≠ 0) gives the same values up to the sums’ order', () => {
    const simd = run(300, 20, 'simd').values;
    const { values, expected } = run(300, 20, 'composite');
    values.forEach((v, k) => {
      expectClose(v, simd[k]!, TOLERANCE, NAMES[k]!);
      expectClose(v, expected[k]!, TOLERANCE, NAMES[k]!);
    });
  });

  it('runs the composite for a channel count that is not a multiple of 4', () => {
    const { values, expected } = run(50, 6, 'simd');
    values.forEach((v, k) => {
      expectClose(v, expected[k]!, TOLERANCE, NAMES[k]!);
    });
  });

  it('rejects an x that is not a float32 matrix, naming the kernel', () => {
    const [x, gamma, beta] = [tf.zeros([2, 3, 4]), tf.ones([4]), tf.zeros([4])];
    expect(() =>
      tf
        .engine()
        .runKernel(BATCH_NORM_TRAIN, { x: x!, gamma: gamma!, beta: beta! }, { epsilon: 1e-5 }),
    ).toThrow(/GcnnBatchNormTrain \(wasm, @gcnn\/tfjs-wasm-training\): needs a float32 \[n, C\] x/);
    tf.dispose([x!, gamma!, beta!]);
  });

  it('rejects a gamma that is not one float per channel, naming the kernel and the input', () => {
    const [x, gamma, beta] = [tf.zeros([6, 8]), tf.ones([4]), tf.zeros([8])];
    expect(() =>
      tf
        .engine()
        .runKernel(BATCH_NORM_TRAIN, { x: x!, gamma: gamma!, beta: beta! }, { epsilon: 1e-5 }),
    ).toThrow(
      /GcnnBatchNormTrain \(wasm, @gcnn\/tfjs-wasm-training\): gamma must be float32 \[8\], got float32 \[4\]/,
    );
    tf.dispose([x!, gamma!, beta!]);
  });
});
