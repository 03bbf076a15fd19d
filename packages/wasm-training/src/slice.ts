import * as tf from '@tensorflow/tfjs-core';
import { guardWasmHeap } from './heap-guard';
import { runStockKernel } from './stock-kernels';
import { copyStrided } from './strided-copy';
import { type HeapView, wasmBackend } from './wasm-backend';

/**
 * `Slice` for wasm: copies only the sliced elements, in runs of contiguous memory, between views
 * of the heap. The stock kernel of 4.22 first copies the whole input out of the heap
 * (`readSync`) on every call, so `tf.split` of an n-element tensor into k parts copied k·n
 * elements (the optimizers' split of all parameters: 35 × 70,298 floats per step). Same values
 * (a copy); string tensors run the stock kernel.
 */
export const sliceConfig: tf.KernelConfig = {
  kernelName: 'Slice',
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { inputs, attrs, backend } = args;
    const x = inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return runStockKernel('Slice', args);
    const { begin, size } = attrs as unknown as tf.SliceAttrs;
    return sliceOf(backend as tf.KernelBackend, x, begin, size);
  },
};

/** `SplitV` for wasm: the stock kernel's pieces, each by {@link sliceConfig}'s copy. */
export const splitVConfig: tf.KernelConfig = {
  kernelName: 'SplitV',
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { inputs, attrs, backend } = args;
    const x = inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return runStockKernel('SplitV', args);
    const { numOrSizeSplits, axis } = attrs as unknown as tf.SplitVAttrs;
    const a = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, a);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = [...x.shape];
      size[a] = s;
      const piece = sliceOf(backend as tf.KernelBackend, x, begin, size);
      begin[a]! += s;
      return piece;
    });
  },
};

/**
 * `Unpack` (`tf.unstack`) for wasm: one {@link sliceConfig} copy per piece. The stock kernel slices
 * with the stock `Slice`, which copies the whole input out of the heap for every piece: unstacking
 * the 8 Fourier slabs `[8, 37632, 64]` of a Sim(2) mixing's gradient took 1.6 s instead of
 * milliseconds. Same values (a copy); string tensors run the stock kernel.
 */
export const unpackConfig: tf.KernelConfig = {
  kernelName: 'Unpack',
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { inputs, attrs, backend } = args;
    const value = inputs.value as tf.TensorInfo;
    if (value.dtype === 'string') return runStockKernel('Unpack', args);
    const { axis } = attrs as unknown as tf.UnpackAttrs;
    const a = tf.util.parseAxisParam(axis, value.shape)[0]!;
    const outShape = value.shape.filter((_, i) => i !== a);
    const begin = new Array<number>(value.shape.length).fill(0);
    const size = [...value.shape];
    size[a] = 1;
    return Array.from({ length: value.shape[a]! }, (_, i) => {
      begin[a] = i;
      const piece = sliceOf(backend as tf.KernelBackend, value, begin, size);
      return { ...piece, shape: outShape };
    });
  },
};

function sliceOf(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  begin: number | number[],
  size: number | number[] | undefined,
): tf.TensorInfo {
  const be = wasmBackend(backend);
  const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size) as [
    number[],
    number[],
  ];
  guardWasmHeap(backend);
  const out = be.makeOutput(s, x.dtype);
  if (tf.util.sizeFromShape(s) === 0) return out;
  // views after the allocation: it may have grown (and detached) the heap's buffer
  copySlice(be.typedArrayFromHeap(x), x.shape, b, s, be.typedArrayFromHeap(out));
  return out;
}

/**
 * Copies the box `[begin, begin + size)` of `src` (shape `shape`, row-major) into `dst`: the
 * trailing axes the box spans whole form one contiguous run per index of the leading axes.
 */
function copySlice(
  src: HeapView,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
  dst: HeapView,
): void {
  const rank = shape.length; // ≥ 1: tfjs does not slice scalars
  const strides = [...tf.util.computeStrides([...shape]), 1];
  // axis k is the first of the run: every later axis is taken whole
  let k = rank - 1;
  while (k > 0 && size[k] === shape[k]) k--;
  const start = begin.reduce((at, b, a) => at + b * strides[a]!, 0);
  const run = size[k]! * strides[k]!;
  copyStrided(src, start, [...size.slice(0, k), run], [...strides.slice(0, k), 1], dst);
}
