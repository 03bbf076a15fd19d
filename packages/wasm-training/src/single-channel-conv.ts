import type * as tf from '@tensorflow/tfjs-core';
import { guardWasmHeap } from './heap-guard';
import {
  type SingleChannelConvKernels,
  singleChannelConvKernels,
} from './simd/single-channel-conv-module';
import { wasmBackend, wasmHeap } from './wasm-backend';

function kernelsFor(
  backend: tf.KernelBackend,
  info: tf.backend_util.Conv2DInfo,
): SingleChannelConvKernels | null {
  const memory = wasmHeap(backend);
  if (!memory) return null;
  if (info.dataFormat !== 'channelsLast' || info.inChannels !== 1) return null;
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  return singleChannelConvKernels(memory, info.filterWidth, info.outChannels);
}

/**
 * Whether a conv2d of geometry `info` takes the SIMD kernels of
 * `simd/single-channel-conv-module.ts` on `backend`: one input channel, NHWC, dilation 1,
 * `Cout % 4 = 0`, filter width ≤ 7.
 */
export function singleChannelConvApplies(
  backend: tf.KernelBackend,
  info: tf.backend_util.Conv2DInfo,
): boolean {
  return kernelsFor(backend, info) !== null;
}

/**
 * A conv2d with one input channel: `forward(x, filter)` → y `[n, oh, ow, Cout]`,
 * `filterGrad(x, dy)` → df `[kh, kw, 1, Cout]`, by the SIMD kernels over a zero-padded copy of
 * `x` (exactly the rows and columns the taps read). Call only where
 * {@link singleChannelConvApplies}; float32 tensors on the wasm backend.
 */
export function runSingleChannelConv(
  kind: 'forward' | 'filterGrad',
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  b: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const be = wasmBackend(backend);
  const k = kernelsFor(backend, info);
  if (!k) throw new Error('runSingleChannelConv: the SIMD kernels do not apply');
  const { batchSize: n, outChannels: c, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const hp = kh + (oh - 1) * sh;
  const wp = kw + (ow - 1) * sw;
  guardWasmHeap(backend);
  const xp = be.makeOutput([n, hp, wp, 1], 'float32');
  try {
    const out = be.makeOutput(kind === 'forward' ? [n, oh, ow, c] : [kh, kw, 1, c], 'float32');
    const at = (t: tf.TensorInfo) => be.getMemoryOffset(t.dataId);
    const memory = wasmHeap(backend)!;
    // after the allocations, which may have grown (and detached) the heap's buffer
    padInto(new Float32Array(memory.buffer, at(xp), n * hp * wp), memory, at(x), info, hp, wp);
    if (kind === 'forward') {
      k.forward(at(xp), at(b), at(out), n, hp, wp, oh, ow, c, kh, kw, sh, sw);
    } else {
      new Float32Array(memory.buffer, at(out), kh * kw * c).fill(0);
      k.filterGrad(at(xp), at(b), at(out), n, hp, wp, oh, ow, c, kh, sh, sw);
    }
    return out;
  } finally {
    be.disposeData(xp.dataId);
  }
}

/** Copies the images `[n, h, w]` at byte offset `x` into `dst` `[n, hp, wp]` at the padding offsets, zeros elsewhere. */
function padInto(
  dst: Float32Array,
  memory: WebAssembly.Memory,
  x: number,
  info: tf.backend_util.Conv2DInfo,
  hp: number,
  wp: number,
): void {
  const { batchSize: n, inHeight: h, inWidth: w, padInfo } = info;
  const src = new Float32Array(memory.buffer, x, n * h * w);
  dst.fill(0);
  const cols = Math.max(0, Math.min(w, wp - padInfo.left));
  if (cols === 0) return;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < hp; y++) {
      const sy = y - padInfo.top;
      if (sy < 0 || sy >= h) continue;
      const from = (b * h + sy) * w;
      dst.set(src.subarray(from, from + cols), (b * hp + y) * wp + padInfo.left);
    }
  }
}
