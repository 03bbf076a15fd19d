import * as tf from '@tensorflow/tfjs-core';
import { guardWasmHeap } from './heap-guard';
import { runStockKernel } from './stock-kernels';
import { copyStrided } from './strided-copy';
import { wasmBackend } from './wasm-backend';

/**
 * `Transpose` for wasm. The stock kernel of 4.22 has fast loops for up to 4 axes and a generic
 * one, which computes each element's index from scratch, for 5 and more: transposing a
 * nonseparable layer's sampled kernel `[Gout, Gin, k, k, Cout, Cin]` into its filter took
 * ≈ 200 ms for 3.2 M floats, 2.3 s of a 15.6 s training step. This kernel first merges the axes
 * that stay neighbours (and drops those of size 1); what has at most 4 axes then runs the stock
 * kernel, the rest one pass in output order between views of the heap (≈ 20× faster there).
 * Same values (a copy); string and complex tensors run the stock kernel.
 */
export const transposeConfig: tf.KernelConfig = {
  kernelName: 'Transpose',
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { inputs, attrs, backend } = args;
    const x = inputs.x as tf.TensorInfo;
    if (x.dtype === 'string' || x.dtype === 'complex64') return runStockKernel('Transpose', args);
    const { perm } = attrs as unknown as tf.TransposeAttrs;
    const outShape = perm.map((p) => x.shape[p]!);
    const merged = mergeAxes(x.shape, perm);
    if (merged.shape.length <= 4) {
      // the stock kernel on the merged view: same data, fewer axes
      const view = { dataId: x.dataId, shape: merged.shape, dtype: x.dtype };
      const out = runStockKernel('Transpose', {
        inputs: { x: view },
        attrs: { perm: merged.perm },
        backend,
      }) as tf.TensorInfo;
      return { ...out, shape: outShape };
    }
    const be = wasmBackend(backend);
    guardWasmHeap(backend as tf.KernelBackend);
    const out = be.makeOutput(outShape, x.dtype);
    // in output order: output axis i walks input axis perm[i]
    const inStrides = [...tf.util.computeStrides(merged.shape), 1];
    const size = merged.perm.map((p) => merged.shape[p]!);
    const stride = merged.perm.map((p) => inStrides[p]!);
    // views after the allocation: it may have grown (and detached) the heap's buffer
    copyStrided(be.typedArrayFromHeap(x), 0, size, stride, be.typedArrayFromHeap(out));
    return out;
  },
};

/** A transpose with neighbouring axes merged: input `shape`, output axis i = input axis perm[i]. */
type MergedTranspose = { shape: number[]; perm: number[] };

/**
 * The same transpose on the fewest axes: size-1 axes dropped, and input axes a, a+1 merged where
 * the output keeps them in that order side by side. At least one axis (a scalar-like tensor keeps
 * `[1]`).
 */
export function mergeAxes(shape: readonly number[], perm: readonly number[]): MergedTranspose {
  const kept = perm.filter((p) => shape[p] !== 1);
  if (kept.length === 0) return { shape: [1], perm: [0] };
  // runs of the output's axes whose input axes are consecutive
  const runs: number[][] = [];
  for (const p of kept) {
    const run = runs[runs.length - 1];
    if (run && nextKeptAxis(shape, run[run.length - 1]!) === p) run.push(p);
    else runs.push([p]);
  }
  // the merged axes, numbered in input order
  const byInput = [...runs].sort((a, b) => a[0]! - b[0]!);
  const mergedShape = byInput.map((run) => run.reduce((n, a) => n * shape[a]!, 1));
  const mergedPerm = runs.map((run) => byInput.indexOf(run));
  return { shape: mergedShape, perm: mergedPerm };
}

/** The input axis after `a` that is not of size 1, or −1. */
function nextKeptAxis(shape: readonly number[], a: number): number {
  for (let b = a + 1; b < shape.length; b++) if (shape[b] !== 1) return b;
  return -1;
}
