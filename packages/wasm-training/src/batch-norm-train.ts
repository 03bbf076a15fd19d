import type * as tf from '@tensorflow/tfjs-core';
import { channelVector } from './fused-batch-norm';
import { inKernelScope } from './kernel-scope';
import { batchNormKernels } from './simd/batch-norm-module';
import { wasmBackend, wasmHeap } from './wasm-backend';

/**
 * The kernel names of @gcnn/group-conv's training-mode batch norm (its `BATCH_NORM_KERNELS`): the
 * norm runs them when they are registered for the active backend, its composite of tfjs ops
 * otherwise.
 *
 * - `GcnnBatchNormTrain`: inputs `{ x, gamma, beta }` (x `[n, C]`, the others `[C]`), attrs
 *   `{ epsilon }` → `[y, xhat, mean, variance, rstd]`: the batch mean μ and biased variance σ² of
 *   each channel, `rstd = 1/√(σ² + ε)`, `x̂ = (x − μ)·rstd`, `y = x̂·γ + β`;
 * - `GcnnBatchNormTrainGrad`: inputs `{ dy, xhat, gamma, rstd }` → `[dx, dGamma, dBeta]`:
 *   `dβ = Σ dy`, `dγ = Σ dy·x̂` (over rows), `dx = dy·a + (x̂·b + c)` with `a = γ·rstd`,
 *   `b = −a·dγ/n`, `c = −a·dβ/n`.
 */
export const BATCH_NORM_TRAIN = 'GcnnBatchNormTrain';
export const BATCH_NORM_TRAIN_GRAD = 'GcnnBatchNormTrainGrad';

/**
 * `[n, C]` of the float32 matrix `x`, checking that every input in `vectors` is a float32 `[C]`;
 * throws naming the kernel and the input otherwise (the SIMD kernels read C floats of each).
 */
function matrixOf(
  kernel: string,
  x: tf.TensorInfo,
  vectors: Record<string, tf.TensorInfo | undefined>,
): [number, number] {
  const [n, c] = x.shape;
  const where = `Error in ${kernel} (wasm, @gcnn/tfjs-wasm-training)`;
  if (x.dtype !== 'float32' || x.shape.length !== 2) {
    throw new Error(`${where}: needs a float32 [n, C] x, got ${x.dtype} [${x.shape}]`);
  }
  for (const [name, t] of Object.entries(vectors)) {
    if (!channelVector(t, c!)) {
      throw new Error(`${where}: ${name} must be float32 [${c}], got ${t?.dtype} [${t?.shape}]`);
    }
  }
  return [n!, c!];
}

function simd(backend: tf.KernelBackend, c: number) {
  const memory = wasmHeap(backend);
  return memory && c % 4 === 0 ? batchNormKernels(memory) : null;
}

/** A float32 view of a `[C]` tensor (taken after every allocation: one may grow the heap). */
function vector(backend: tf.KernelBackend, t: tf.TensorInfo, c: number): Float32Array {
  const be = wasmBackend(backend);
  return new Float32Array(wasmHeap(backend)!.buffer, be.getMemoryOffset(t.dataId), c);
}

/** `GcnnBatchNormTrain` for wasm: three SIMD passes, or the composite without SIMD or for C % 4 ≠ 0. */
export const batchNormTrainConfig: tf.KernelConfig = {
  kernelName: BATCH_NORM_TRAIN,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { x, gamma, beta } = inputs as Record<string, tf.TensorInfo>;
    const { epsilon } = attrs as unknown as { epsilon: number };
    const [n, c] = matrixOf(BATCH_NORM_TRAIN, x!, { gamma, beta });
    const be = wasmBackend(backend);
    const kb = backend as tf.KernelBackend;
    const k = simd(kb, c);
    if (!k) return composite(kb, x!, gamma!, beta!, epsilon);
    const at = (t: tf.TensorInfo) => be.getMemoryOffset(t.dataId);
    // in a scope: an allocation that fails (the heap guard) frees what was allocated before it
    return inKernelScope(kb, BATCH_NORM_TRAIN, (s) => {
      const [mean, variance, rstd] = [0, 1, 2].map(() => s.allocate([c], 'float32'));
      k.columnSums(at(x!), at(mean!), n, c);
      const mu = vector(kb, mean!, c);
      for (let j = 0; j < c; j++) mu[j] = mu[j]! / n;
      k.centeredSquareSums(at(x!), at(mean!), at(variance!), n, c);
      const [v, r] = [vector(kb, variance!, c), vector(kb, rstd!, c)];
      for (let j = 0; j < c; j++) {
        v[j] = v[j]! / n;
        r[j] = 1 / Math.sqrt(Math.fround(v[j]! + epsilon));
      }
      const [y, xhat] = [0, 1].map(() => s.allocate([n, c], 'float32'));
      k.normalize(at(x!), at(mean!), at(rstd!), at(gamma!), at(beta!), at(xhat!), at(y!), n, c);
      return [y!, xhat!, mean!, variance!, rstd!];
    });
  },
};

/** `GcnnBatchNormTrainGrad` for wasm: two SIMD passes, or the composite without SIMD or for C % 4 ≠ 0. */
export const batchNormTrainGradConfig: tf.KernelConfig = {
  kernelName: BATCH_NORM_TRAIN_GRAD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const { dy, xhat, gamma, rstd } = inputs as Record<string, tf.TensorInfo>;
    const [n, c] = matrixOf(BATCH_NORM_TRAIN_GRAD, dy!, { gamma, rstd });
    const be = wasmBackend(backend);
    const kb = backend as tf.KernelBackend;
    const k = simd(kb, c);
    if (!k) return compositeGrad(kb, dy!, xhat!, gamma!, rstd!);
    const at = (t: tf.TensorInfo) => be.getMemoryOffset(t.dataId);
    // in a scope: a, b and shift are freed on return, everything on a failed allocation
    return inKernelScope(kb, BATCH_NORM_TRAIN_GRAD, (s) => {
      const [dGamma, dBeta, a, b, shift] = [0, 1, 2, 3, 4].map(() => s.allocate([c], 'float32'));
      k.gradientSums(at(dy!), at(xhat!), at(dBeta!), at(dGamma!), n, c);
      const [g, r, dg, db] = [gamma!, rstd!, dGamma!, dBeta!].map((t) => vector(kb, t, c));
      const [av, bv, sv] = [a!, b!, shift!].map((t) => vector(kb, t, c));
      // the composite's float32 steps: a = γ·rstd, b = (a·dγ)/(−n), c = (a·dβ)/(−n)
      for (let j = 0; j < c; j++) {
        av![j] = g![j]! * r![j]!;
        bv![j] = Math.fround(av![j]! * dg![j]!) / -n;
        sv![j] = Math.fround(av![j]! * db![j]!) / -n;
      }
      const dx = s.allocate([n, c], 'float32');
      k.inputGradient(at(dy!), at(xhat!), at(a!), at(b!), at(shift!), at(dx), n, c);
      return [dx, dGamma!, dBeta!];
    });
  },
};

/** The forward as the composite of wasm kernels (engines without wasm SIMD; exported for the tests). */
export function composite(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  gamma: tf.TensorInfo,
  beta: tf.TensorInfo,
  epsilon: number,
): tf.TensorInfo[] {
  return inKernelScope(backend, BATCH_NORM_TRAIN, (s) => {
    const n = s.fill([], x.shape[0]!, 'float32');
    const mean = s.run('RealDiv', { a: s.sum(x, [0]), b: n });
    const d = s.binary('Sub', x, mean);
    const variance = s.run('RealDiv', { a: s.sum(s.run('Square', { x: d }), [0]), b: n });
    const eps = s.fill([], epsilon, 'float32');
    const rstd = s.run('Rsqrt', { x: s.binary('Add', variance, eps) });
    const xhat = s.binary('Multiply', d, rstd);
    const y = s.binary('Add', s.binary('Multiply', xhat, gamma), beta);
    return [y, xhat, mean, variance, rstd];
  });
}

/** The gradient as the composite of wasm kernels (engines without wasm SIMD; exported for the tests). */
export function compositeGrad(
  backend: tf.KernelBackend,
  dy: tf.TensorInfo,
  xhat: tf.TensorInfo,
  gamma: tf.TensorInfo,
  rstd: tf.TensorInfo,
): tf.TensorInfo[] {
  return inKernelScope(backend, BATCH_NORM_TRAIN_GRAD, (s) => {
    const minusN = s.fill([], -dy.shape[0]!, 'float32');
    const dBeta = s.sum(dy, [0]);
    const dGamma = s.sum(s.binary('Multiply', dy, xhat), [0]);
    const a = s.binary('Multiply', gamma, rstd);
    const b = s.run('RealDiv', { a: s.binary('Multiply', a, dGamma), b: minusN });
    const c = s.run('RealDiv', { a: s.binary('Multiply', a, dBeta), b: minusN });
    const shift = s.binary('Add', s.binary('Multiply', xhat, b), c);
    const dx = s.binary('Add', s.binary('Multiply', dy, a), shift);
    return [dx, dGamma, dBeta];
  });
}
