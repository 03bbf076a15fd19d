import type * as tf from '@tensorflow/tfjs-core';
import { inKernelScope } from './kernel-scope';
import { groupAxisKernels } from './simd/group-axis-module';
import { wasmBackend, wasmHeap } from './wasm-backend';

/**
 * The kernel names of @gcnn/group-conv's Fourier-form circulant mixing (its
 * `GROUP_AXIS_KERNELS`), which it runs where they are registered for the active backend (its
 * dense matMul otherwise). basis a float32 `[R, R]` matrix t, R even, J = R/2, each slab `[M, 2·C]`
 * a tensor of its own (the J products run on them without a slice or a stack):
 *
 * - `GcnnGroupAxisSplit`: inputs `{ x, basis }`, x `[M, R·C]` (group-major rows) → J slabs,
 *   `slab_j[m, p·C + c] = Σ_s t[2j + p, s] · x[m, s·C + c]`;
 * - `GcnnGroupAxisMerge`: inputs `{ basis, slab0, …, slab<J−1> }` → `[M, R·C]`,
 *   `out[m, s·C + c] = Σ_{j,p} t[s, 2j + p] · slab_j[m, p·C + c]`.
 */
export const GROUP_AXIS_SPLIT = 'GcnnGroupAxisSplit';
export const GROUP_AXIS_MERGE = 'GcnnGroupAxisMerge';

/** `[M, R, C]` of one call, validated; the slabs of a merge in order. */
function geometry(
  kernel: string,
  inputs: tf.NamedTensorInfoMap,
): { m: number; r: number; c: number; x: tf.TensorInfo[] } {
  const { basis } = inputs;
  const r = basis?.shape[0] ?? 0;
  const slabs = Array.from({ length: r / 2 }, (_, j) => inputs[`slab${j}`]);
  const x = kernel === GROUP_AXIS_SPLIT ? [inputs.x] : slabs;
  const fail = (what: string): never => {
    const shapes = x.map((t) => (t ? `${t.dtype} [${t.shape}]` : 'missing')).join(', ');
    throw new Error(
      `Error in ${kernel} (wasm, @gcnn/tfjs-wasm-training): ${what}, got basis ${basis?.dtype} [${basis?.shape}] and x ${shapes}`,
    );
  };
  if (basis?.dtype !== 'float32') fail('needs a float32 basis');
  if (basis!.shape.length !== 2 || basis!.shape[1] !== r || r < 2 || r % 2 !== 0)
    fail('basis must be [R, R] with R even');
  if (x.some((t) => t === undefined))
    fail(
      kernel === GROUP_AXIS_SPLIT
        ? 'needs x'
        : 'the R/2 slabs slab0 … slab<R/2 − 1> must all be [M, 2·C]',
    );
  if (x.some((t) => t!.dtype !== 'float32')) fail('needs float32 x');
  const first = x[0]!;
  if (kernel === GROUP_AXIS_SPLIT) {
    if (first.shape.length !== 2 || first.shape[1]! % r !== 0) fail('x must be [M, R·C]');
    return { m: first.shape[0]!, r, c: first.shape[1]! / r, x: [first] };
  }
  const [m, twoC] = first.shape;
  if (first.shape.length !== 2 || twoC! % 2 !== 0) fail('each slab must be [M, 2·C]');
  if (x.some((t) => t!.shape.length !== 2 || t!.shape[0] !== m || t!.shape[1] !== twoC))
    fail('the R/2 slabs slab0 … slab<R/2 − 1> must all be [M, 2·C]');
  return { m: m!, r, c: twoC! / 2, x: x as tf.TensorInfo[] };
}

/**
 * The same sums one element at a time, where the SIMD kernels do not apply: `rows` the byte
 * offset of the `[M, R·C]` side (split: its input, merge: its output), `slabs` those of the J
 * slabs.
 */
function scalar(
  kind: 'split' | 'merge',
  heap: Float32Array,
  at: { rows: number; t: number; slabs: number[] },
  { m, r, c }: { m: number; r: number; c: number },
): void {
  const [rows, t] = [at.rows / 4, at.t / 4];
  const slab = (l: number, row: number, ch: number) =>
    at.slabs[l >> 1]! / 4 + (row * 2 + (l & 1)) * c + ch;
  const full = (row: number, s: number, ch: number) => rows + (row * r + s) * c + ch;
  for (let row = 0; row < m; row++)
    for (let s = 0; s < r; s++)
      for (let ch = 0; ch < c; ch++) {
        let sum = 0;
        for (let l = 0; l < r; l++)
          sum +=
            heap[t + s * r + l]! * heap[kind === 'split' ? full(row, l, ch) : slab(l, row, ch)]!;
        heap[kind === 'split' ? slab(s, row, ch) : full(row, s, ch)] = sum;
      }
}

function config(kernelName: string, kind: 'split' | 'merge'): tf.KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const g = geometry(kernelName, inputs);
      const { m, r, c } = g;
      const be = wasmBackend(backend);
      const memory = wasmHeap(backend)!;
      const at = (t: tf.TensorInfo) => be.getMemoryOffset(t.dataId);
      const t = at(inputs.basis!);
      const split = kind === 'split';
      // in a scope: the pointer table is freed on return, everything on a failed allocation
      const outs = inKernelScope(backend as tf.KernelBackend, kernelName, (s) => {
        const slabs = split
          ? Array.from({ length: r / 2 }, () => s.allocate([m, 2 * c], 'float32'))
          : g.x;
        const rows = split ? g.x[0]! : s.allocate([m, r * c], 'float32');
        const k = groupAxisKernels(memory, c);
        if (k) {
          const table = s.allocate([r / 2], 'int32');
          new Int32Array(memory.buffer, at(table), r / 2).set(slabs.map(at));
          if (split) k.split(at(rows), t, at(table), m, r, c);
          else k.merge(at(table), t, at(rows), m, r, c);
        } else {
          const heap = new Float32Array(memory.buffer);
          scalar(kind, heap, { rows: at(rows), t, slabs: slabs.map(at) }, g);
        }
        return split ? slabs : [rows];
      });
      // split: J tensors (an array even for J = 1); merge: one
      return split ? outs : outs[0]!;
    },
  };
}

/** `GcnnGroupAxisSplit` for wasm (SIMD; one element at a time where `C % 4 ≠ 0`). */
export const groupAxisSplitConfig = config(GROUP_AXIS_SPLIT, 'split');
/** `GcnnGroupAxisMerge` for wasm (SIMD; one element at a time where `C % 4 ≠ 0`). */
export const groupAxisMergeConfig = config(GROUP_AXIS_MERGE, 'merge');
