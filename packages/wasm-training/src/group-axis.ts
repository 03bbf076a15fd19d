import type * as tf from '@tensorflow/tfjs-core';
import { guardWasmHeap } from './heap-guard';
import { groupAxisKernels } from './simd/group-axis-module';
import { wasmBackend, wasmHeap } from './wasm-backend';

/**
 * The kernel names of @gcnn/group-conv's Fourier-form circulant mixing (its
 * `GROUP_AXIS_KERNELS`), which it runs where they are registered for the active backend (its
 * dense matMul otherwise). Inputs `{ x, basis }`, basis a float32 `[R, R]` matrix t, R even, J = R/2:
 *
 * - `GcnnGroupAxisSplit`: x `[M, R·C]` (group-major rows) → `[J, M, 2·C]`,
 *   `out[j, m, p·C + c] = Σ_s t[2j + p, s] · x[m, s·C + c]`;
 * - `GcnnGroupAxisMerge`: x `[J, M, 2·C]` → `[M, R·C]`,
 *   `out[m, s·C + c] = Σ_{j,p} t[s, 2j + p] · x[j, m, p·C + c]`.
 */
export const GROUP_AXIS_SPLIT = 'GcnnGroupAxisSplit';
export const GROUP_AXIS_MERGE = 'GcnnGroupAxisMerge';

/** `[M, R, C]` of one call, validated. */
function geometry(
  kernel: string,
  x: tf.TensorInfo,
  basis: tf.TensorInfo,
): [number, number, number] {
  const r = basis.shape[0]!;
  const fail = (what: string): never => {
    throw new Error(
      `Error in ${kernel} (wasm, @gcnn/tfjs-wasm-training): ${what}, got x ${x.dtype} [${x.shape}] and basis ${basis.dtype} [${basis.shape}]`,
    );
  };
  if (x.dtype !== 'float32' || basis.dtype !== 'float32') fail('needs float32 x and basis');
  if (basis.shape.length !== 2 || basis.shape[1] !== r || r < 2 || r % 2 !== 0)
    fail('basis must be [R, R] with R even');
  if (kernel === GROUP_AXIS_SPLIT) {
    if (x.shape.length !== 2 || x.shape[1]! % r !== 0) fail('x must be [M, R·C]');
    return [x.shape[0]!, r, x.shape[1]! / r];
  }
  if (x.shape.length !== 3 || x.shape[0] !== r / 2 || x.shape[2]! % 2 !== 0)
    fail('x must be [R/2, M, 2·C]');
  return [x.shape[1]!, r, x.shape[2]! / 2];
}

/** The same sums one element at a time, where the SIMD kernels do not apply. */
function scalar(
  kind: 'split' | 'merge',
  heap: Float32Array,
  at: { x: number; t: number; out: number },
  [m, r, c]: [number, number, number],
): void {
  const [x, t, out] = [at.x / 4, at.t / 4, at.out / 4];
  for (let row = 0; row < m; row++)
    for (let s = 0; s < r; s++)
      for (let ch = 0; ch < c; ch++) {
        let sum = 0;
        for (let l = 0; l < r; l++) {
          const slab = (((l >> 1) * m + row) * 2 + (l & 1)) * c + ch;
          sum +=
            kind === 'split'
              ? heap[t + s * r + l]! * heap[x + (row * r + l) * c + ch]!
              : heap[t + s * r + l]! * heap[x + slab]!;
        }
        const index =
          kind === 'split' ? (((s >> 1) * m + row) * 2 + (s & 1)) * c + ch : (row * r + s) * c + ch;
        heap[out + index] = sum;
      }
}

function config(kernelName: string, kind: 'split' | 'merge'): tf.KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { x, basis } = inputs as { x: tf.TensorInfo; basis: tf.TensorInfo };
      const g = geometry(kernelName, x, basis);
      const [m, r, c] = g;
      const be = wasmBackend(backend);
      guardWasmHeap(backend as tf.KernelBackend);
      const out = be.makeOutput(kind === 'split' ? [r / 2, m, 2 * c] : [m, r * c], 'float32');
      const at = {
        x: be.getMemoryOffset(x.dataId),
        t: be.getMemoryOffset(basis.dataId),
        out: be.getMemoryOffset(out.dataId),
      };
      const memory = wasmHeap(backend);
      const k = memory ? groupAxisKernels(memory, c) : null;
      if (k) k[kind](at.x, at.t, at.out, m, r, c);
      else scalar(kind, new Float32Array(memory!.buffer), at, g);
      return out;
    },
  };
}

/** `GcnnGroupAxisSplit` for wasm (SIMD; one element at a time where `C % 4 ≠ 0`). */
export const groupAxisSplitConfig = config(GROUP_AXIS_SPLIT, 'split');
/** `GcnnGroupAxisMerge` for wasm (SIMD; one element at a time where `C % 4 ≠ 0`). */
export const groupAxisMergeConfig = config(GROUP_AXIS_MERGE, 'merge');
