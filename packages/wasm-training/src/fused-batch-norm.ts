import * as tf from '@tensorflow/tfjs-core';
import { guardWasmHeap } from './heap-guard';
import { channelAffineKernel } from './simd/channel-affine-module';
import { runStockKernel } from './stock-kernels';
import { wasmBackend, wasmHeap } from './wasm-backend';

const NAME = 'FusedBatchNorm';

/** Whether `t` is a float32 vector of `c` values (the per-channel case the SIMD kernels run). */
export function channelVector(t: tf.TensorInfo | undefined, c: number): boolean {
  return t !== undefined && t.dtype === 'float32' && t.shape.length === 1 && t.shape[0] === c;
}

/**
 * Whether a `FusedBatchNorm` with these inputs takes the SIMD kernel: float32 `x` whose last axis
 * C is a positive multiple of 4, and mean, variance and the optional offset and scale float32
 * vectors of C values.
 */
export function channelAffineApplies(inputs: tf.NamedTensorInfoMap): boolean {
  const { x, mean, variance, offset, scale } = inputs as Record<string, tf.TensorInfo | undefined>;
  const c = x?.shape[x.shape.length - 1] ?? 0;
  return (
    x?.dtype === 'float32' &&
    c > 0 &&
    c % 4 === 0 &&
    channelVector(mean, c) &&
    channelVector(variance, c) &&
    (offset === undefined || channelVector(offset, c)) &&
    (scale === undefined || channelVector(scale, c))
  );
}

/**
 * `FusedBatchNorm` (`tf.batchNorm`) for wasm: where {@link channelAffineApplies}, one SIMD pass
 * `x·s + t` with `s = scale/√(variance + ε)`, `t = offset − mean·s` computed on the C channels
 * (simd/channel-affine-module.ts; the stock kernel took 73 ms for a `[401408, 32]` map). The
 * result differs from `(x − mean)·s + offset` by float32 round-off of `x·s` and `mean·s`. Every
 * other case runs the stock kernel.
 */
export const fusedBatchNormConfig: tf.KernelConfig = {
  kernelName: NAME,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { inputs, attrs, backend } = args;
    const { x, mean, variance, offset, scale } = inputs as Record<
      string,
      tf.TensorInfo | undefined
    >;
    const be = wasmBackend(backend);
    const memory = wasmHeap(backend);
    const c = x!.shape[x!.shape.length - 1]!;
    const applies = channelAffineApplies(inputs);
    const kernel = applies && memory ? channelAffineKernel(memory) : null;
    if (!kernel) return runStockKernel(NAME, args);
    guardWasmHeap(backend as tf.KernelBackend);
    const epsilon = (attrs as unknown as tf.FusedBatchNormAttrs).varianceEpsilon;
    const at = (t: tf.TensorInfo) => be.getMemoryOffset(t.dataId);
    const s = be.makeOutput([c], 'float32');
    const t = be.makeOutput([c], 'float32');
    try {
      // views taken after every allocation: an allocation may grow the heap (new buffer)
      const heap = memory!.buffer;
      const view = (u: tf.TensorInfo) => new Float32Array(heap, at(u), c);
      const [mu, v, b, g, sv, tv] = [mean!, variance!, offset, scale, s, t].map((u) =>
        u === undefined ? undefined : view(u),
      );
      for (let i = 0; i < c; i++) {
        const si = Math.fround((g ? g[i]! : 1) / Math.sqrt(v![i]! + epsilon));
        sv![i] = si;
        tv![i] = (b ? b[i]! : 0) - mu![i]! * si;
      }
      const out = be.makeOutput(x!.shape, 'float32');
      kernel(at(x!), at(s), at(t), at(out), tf.util.sizeFromShape(x!.shape) / c, c);
      return out;
    } finally {
      be.disposeData(s.dataId);
      be.disposeData(t.dataId);
    }
  },
};
