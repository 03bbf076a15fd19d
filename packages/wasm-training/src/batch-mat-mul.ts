import * as tf from '@tensorflow/tfjs-core';
import { guardWasmHeap } from './heap-guard';
import { inKernelScope } from './kernel-scope';
import { transposedAMatMulKernel } from './simd/transposed-a-mat-mul-module';
import { vecMatKernel } from './simd/vec-mat-module';
import { runStockKernel } from './stock-kernels';
import { wasmBackend, wasmHeap } from './wasm-backend';

const NAME = 'BatchMatMul';

/**
 * `BatchMatMul` for wasm:
 *
 * - a row vector times a matrix (`[1, K]·[K, N]`, batch 1, no transposes, float32, `N % 4 = 0`)
 *   runs the SIMD kernel of `simd/vec-mat-module.ts` (≈ 30× the stock kernel there:
 *   `[1, 100352]·[100352, 32]` 12 ms → 0.4 ms; the per-channel sums `1ᵀ·x` of the batch norms);
 * - `aᵀ·b` (transposeA only; the shapes `transposedAApplies` accepts), the weight gradient of every
 *   matMul, runs the SIMD kernel of `simd/transposed-a-mat-mul-module.ts` (33–38 GFLOP/s, the
 *   plain product's speed; the stock kernel ran it at 1.3–2.8 GFLOP/s);
 * - other products with a transposed operand run as explicit transposes and a plain product;
 * - every other case runs the stock kernel.
 */
export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: NAME,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { inputs, attrs, backend } = args;
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    const be = wasmBackend(backend);
    const memory = wasmHeap(backend);
    const k = a.shape[a.shape.length - 1] as number;
    const n = b.shape[b.shape.length - 1] as number;
    if (
      !transposeA &&
      !transposeB &&
      a.dtype === 'float32' &&
      b.dtype === 'float32' &&
      a.shape.length >= 2 &&
      b.shape.length >= 2 &&
      tf.util.sizeFromShape(a.shape) === k && // one row, batch 1
      tf.util.sizeFromShape(b.shape) === k * n &&
      b.shape[b.shape.length - 2] === k &&
      memory
    ) {
      const kernel = vecMatKernel(memory, n);
      if (kernel) {
        guardWasmHeap(backend as tf.KernelBackend);
        const batch = tf.broadcast_util.assertAndGetBroadcastShape(
          a.shape.slice(0, -2),
          b.shape.slice(0, -2),
        );
        const out = be.makeOutput([...batch, 1, n], 'float32');
        const at = (t: tf.TensorInfo) => be.getMemoryOffset(t.dataId);
        kernel(at(a), at(b), at(out), k, n);
        return out;
      }
    }
    if (transposedAApplies(a, b, transposeA, transposeB) && memory) {
      const kernel = transposedAMatMulKernel(memory);
      if (kernel) {
        guardWasmHeap(backend as tf.KernelBackend);
        const [kk, m] = a.shape.slice(-2) as [number, number];
        const batch = a.shape.slice(0, -2);
        const out = be.makeOutput([...batch, m, n], 'float32');
        const at = (t: tf.TensorInfo) => be.getMemoryOffset(t.dataId);
        const count = tf.util.sizeFromShape(batch);
        new Float32Array(memory.buffer, at(out), count * m * n).fill(0);
        for (let i = 0; i < count; i++)
          kernel(at(a) + 4 * i * kk * m, at(b) + 4 * i * kk * n, at(out) + 4 * i * m * n, kk, m, n);
        return out;
      }
    }
    if (transposeA || transposeB)
      return withExplicitTransposes(backend as tf.KernelBackend, a, b, transposeA, transposeB);
    return runStockKernel(NAME, args);
  },
};

/**
 * `op(a)·op(b)` as transposes (stock `Transpose`) and a plain product: the stock kernel runs a
 * transposed operand ≈ 12× slower than this (`[12544, 64]·[64, 64]ᵀ`: 36 ms against 3 ms).
 */
function withExplicitTransposes(
  backend: tf.KernelBackend,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): tf.TensorInfo {
  const [out] = inKernelScope(backend, NAME, (s) => {
    const swapLast = (t: tf.TensorInfo) => {
      const perm = t.shape.map((_, i) => i);
      perm.push(...perm.splice(-2).reverse());
      return s.transpose(t, perm);
    };
    return [s.matMul(transposeA ? swapLast(a) : a, transposeB ? swapLast(b) : b, false, false)];
  });
  return out!;
}

/**
 * Whether a `BatchMatMul` is `aᵀ·b` of the shape the SIMD kernel of
 * `simd/transposed-a-mat-mul-module.ts` runs: float32 `a` `[..., K, M]` and `b` `[..., K, N]` with
 * the same batch dimensions, `M % 4 = 0`, `N % 8 = 0`.
 */
export function transposedAApplies(
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): boolean {
  if (!transposeA || transposeB || a.dtype !== 'float32' || b.dtype !== 'float32') return false;
  if (a.shape.length < 2 || a.shape.length !== b.shape.length) return false;
  const rank = a.shape.length;
  if (!a.shape.slice(0, rank - 1).every((d, i) => d === b.shape[i])) return false;
  const [m, n] = [a.shape[rank - 1]!, b.shape[rank - 1]!];
  return m % 4 === 0 && n % 8 === 0 && m > 0 && n > 0;
}
