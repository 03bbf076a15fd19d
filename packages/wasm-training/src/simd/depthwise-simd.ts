import * as tf from '@tensorflow/tfjs-core';
import { pair } from '../conv-util';
import { wasmBackend, wasmHeap } from '../wasm-backend';
import { type DepthwiseKernels, depthwiseKernels } from './depthwise-module';

/** The geometry of one depthwise convolution (from `backend_util.computeConv2DInfo`). */
export interface DepthwiseGeometry {
  n: number;
  h: number;
  w: number;
  c: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  padTop: number;
  padLeft: number;
}

/** The geometry of `info` when the SIMD kernels apply (multiplier 1, dilation 1), else null. */
export function simdGeometry(info: tf.backend_util.Conv2DInfo): DepthwiseGeometry | null {
  if (info.dataFormat !== 'channelsLast') return null;
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  if (info.outChannels !== info.inChannels) return null; // channel multiplier 1
  return {
    n: info.batchSize,
    h: info.inHeight,
    w: info.inWidth,
    c: info.inChannels,
    oh: info.outHeight,
    ow: info.outWidth,
    kh: info.filterHeight,
    kw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

function kernelsFor(backend: tf.KernelBackend, channels: number): DepthwiseKernels | null {
  const memory = wasmHeap(backend);
  if (!memory) return null;
  if (channels % 16 === 0) return depthwiseKernels(memory, 4);
  if (channels % 4 === 0) return depthwiseKernels(memory, 1);
  return null;
}

/** The attributes of a depthwise conv that fix its geometry (every depthwise kernel has them). */
export interface DepthwiseAttrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: tf.DepthwiseConv2dNativeAttrs['pad'];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * The conv info of a depthwise conv of an input `xShape` with a filter `filterShape`, and its
 * geometry where the SIMD kernels run it on `backend` (else `simd` is null).
 */
export function depthwiseConvInfo(
  backend: tf.KernelBackend,
  xShape: readonly number[],
  filterShape: readonly number[],
  a: DepthwiseAttrs,
): { info: tf.backend_util.Conv2DInfo; simd: DepthwiseGeometry | null } {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    pair(a.dilations),
    a.pad,
    a.dimRoundingMode,
    true,
  );
  const g = simdGeometry(info);
  return { info, simd: g && simdDepthwiseAvailable(backend, g) ? g : null };
}

/** Whether {@link runSimdDepthwise} can run `g` on `backend`. */
export function simdDepthwiseAvailable(backend: tf.KernelBackend, g: DepthwiseGeometry): boolean {
  return kernelsFor(backend, g.c) !== null;
}

/** A bias `[c]` the forward kernel adds to each output pixel, and whether it then applies a ReLU. */
export interface ForwardBias {
  bias: tf.TensorInfo;
  relu: boolean;
}

/**
 * Runs one of the SIMD depthwise kernels (see depthwise-module.ts) on wasm tensors and returns
 * its output, allocated on the backend: `forward(x, filter)` → y `[n,oh,ow,c]` (plus `epilogue`'s
 * bias and ReLU where given),
 * `backpropInput(dy, filter)` → dx `[n,h,w,c]`, `backpropFilter(x, dy)` → df `[kh,kw,c,1]`.
 * Call only where {@link simdDepthwiseAvailable}.
 */
export function runSimdDepthwise(
  kind: keyof DepthwiseKernels,
  backend: tf.KernelBackend,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  g: DepthwiseGeometry,
  epilogue?: ForwardBias,
): tf.TensorInfo {
  const be = wasmBackend(backend);
  const k = kernelsFor(backend, g.c);
  if (!k) throw new Error(`runSimdDepthwise: no SIMD kernel for ${g.c} channels`);
  const memory = wasmHeap(backend)!;
  const { n, h, w, c, oh, ow, kh, kw, sh, sw, padTop, padLeft } = g;
  const args = [n, h, w, c, oh, ow, kh, kw, sh, sw, padTop, padLeft] as const;
  const at = (t: tf.TensorInfo) => be.getMemoryOffset(t.dataId);
  if (kind === 'forward') {
    const y = be.makeOutput([n, oh, ow, c], 'float32');
    if (!epilogue) k.forward(at(a), at(b), at(y), ...args);
    else {
      const fused = epilogue.relu ? k.forwardBiasRelu : k.forwardBias;
      fused(at(a), at(b), at(y), ...args, at(epilogue.bias));
    }
    return y;
  }
  if (kind === 'backpropFilter') {
    const df = be.makeOutput([kh, kw, c, 1], 'float32');
    new Float32Array(memory.buffer, at(df), kh * kw * c).fill(0);
    k.backpropFilter(at(a), at(b), at(df), ...args);
    return df;
  }
  const dx = be.makeOutput([n, h, w, c], 'float32');
  if (sh !== 1 || sw !== 1) {
    k.backpropInput(at(a), at(b), at(dx), ...args);
    return dx;
  }
  // Stride 1: the transposed conv is a forward conv of dy with the filter turned by 180°, which
  // skips the per-tap divisibility test of the strided gather (≈ 1.7× faster).
  const flipped = be.makeOutput([kh, kw, c, 1], 'float32');
  try {
    const taps = kh * kw;
    const src = new Float32Array(memory.buffer, at(b), taps * c);
    const dst = new Float32Array(memory.buffer, at(flipped), taps * c);
    for (let t = 0; t < taps; t++) dst.set(src.subarray((taps - 1 - t) * c, (taps - t) * c), t * c);
    k.forward(
      at(a),
      at(flipped),
      at(dx),
      n,
      oh,
      ow,
      c,
      h,
      w,
      kh,
      kw,
      1,
      1,
      kh - 1 - padTop,
      kw - 1 - padLeft,
    );
  } finally {
    be.disposeData(flipped.dataId);
  }
  return dx;
}
