import type * as tf from '@tensorflow/tfjs-core';
import { guardWasmHeap } from './heap-guard';
import { filterGradKernel } from './simd/single-channel-filter-grad-module';

/** What the SIMD path needs of tfjs-backend-wasm's `BackendWasm`. */
interface WasmBackendLike {
  wasm?: { asm?: { memory?: unknown } };
  getMemoryOffset(dataId: tf.DataId): number;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: tf.DataId): boolean;
}

/**
 * Whether `info` (a conv2d's geometry) takes {@link singleChannelFilterGrad}'s SIMD kernel on
 * `backend`: one input channel, dilation 1, `Cout % 4 = 0`, filter width ≤ 7.
 */
export function singleChannelFilterGradApplies(
  backend: tf.KernelBackend,
  info: tf.backend_util.Conv2DInfo,
): boolean {
  const memory = (backend as unknown as WasmBackendLike).wasm?.asm?.memory;
  return (
    memory instanceof WebAssembly.Memory &&
    info.dataFormat === 'channelsLast' &&
    info.inChannels === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    filterGradKernel(memory, info.filterWidth, info.outChannels) !== null
  );
}

/**
 * The filter gradient `[kh, kw, 1, Cout]` of a conv2d with one input channel (a lifting layer on
 * grey images), by the SIMD kernel of `simd/single-channel-filter-grad-module.ts` over a
 * zero-padded copy of `x` `[n, hp, wp]` (exactly the rows and columns the taps read). Call only
 * where {@link singleChannelFilterGradApplies}; `x`, `dy` float32 NHWC.
 */
export function singleChannelFilterGrad(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const be = backend as unknown as WasmBackendLike;
  const memory = be.wasm!.asm!.memory as WebAssembly.Memory;
  const { batchSize: n, inHeight: h, inWidth: w, outChannels: c, padInfo } = info;
  const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = info;
  const { strideHeight: sh, strideWidth: sw } = info;
  const kernel = filterGradKernel(memory, kw, c)!;
  const hp = kh + (oh - 1) * sh;
  const wp = kw + (ow - 1) * sw;
  guardWasmHeap(backend);
  const xp = be.makeOutput([n, hp, wp, 1], 'float32');
  try {
    const df = be.makeOutput([kh, kw, 1, c], 'float32');
    // views after the allocations: they may have grown (and detached) the heap's buffer
    const at = (t: tf.TensorInfo) => be.getMemoryOffset(t.dataId);
    const src = new Float32Array(memory.buffer, at(x), n * h * w);
    const dst = new Float32Array(memory.buffer, at(xp), n * hp * wp).fill(0);
    const cols = Math.max(0, Math.min(w, wp - padInfo.left));
    for (let b = 0; b < n; b++) {
      for (let y = 0; y < hp; y++) {
        const sy = y - padInfo.top;
        if (sy < 0 || sy >= h || cols === 0) continue;
        const from = (b * h + sy) * w;
        dst.set(src.subarray(from, from + cols), (b * hp + y) * wp + padInfo.left);
      }
    }
    kernel(at(xp), at(dy), at(df), n, hp, wp, oh, ow, c, kh, sh, sw);
    return df;
  } finally {
    be.disposeData(xp.dataId);
  }
}
