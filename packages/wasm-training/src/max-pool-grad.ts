import * as tf from '@tensorflow/tfjs-core';
import { unsupported } from './conv-util';
import { guardWasmHeap } from './heap-guard';
import { maxPoolGradKernel } from './simd/max-pool-grad-module';
import { wasmBackend, wasmHeap } from './wasm-backend';

const NAME = 'MaxPoolGrad';

/**
 * `MaxPoolGrad` for wasm with the semantics of tfjs-backend-cpu (`maxPoolPositions`): each
 * window's gradient goes to the first in-bounds tap, in row-major order, that holds the window's
 * maximum (strictly greater than the taps before it, starting from −∞); windows whose maximum is
 * −∞ route nothing. Replaces the stock wasm kernel of 4.22.0, which drops the gradient of windows
 * whose values are all negative.
 *
 * Windows that tile the input (stride = window, no padding, `C % 4 = 0`: the models' 2×2/2
 * pooling) run a 128-bit wasm SIMD kernel that writes every `dx` element once; every other case
 * one pass in JavaScript over the wasm heap (no intermediate tensors). Supports NHWC float32, any
 * filterSize, strides, dilations, pad form, dimRoundingMode.
 */
export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: NAME,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const a = attrs as unknown as tf.MaxPoolGradAttrs;
    if (input.dtype !== 'float32' || dy.dtype !== 'float32')
      unsupported(NAME, 'dtype', [input.dtype, dy.dtype], 'float32 input and dy');
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      a.filterSize,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    );
    const be = wasmBackend(backend);
    guardWasmHeap(backend as tf.KernelBackend);
    const dx = be.makeOutput(input.shape, 'float32');
    // views after the allocation: it may have grown (and detached) the heap's buffer
    const memory = wasmHeap(backend)!;
    const heap = memory.buffer;
    const view = (t: tf.TensorInfo) =>
      new Float32Array(heap, be.getMemoryOffset(t.dataId), tf.util.sizeFromShape(t.shape));
    const out = view(dx);
    const simd = tilingWindows(info) ? maxPoolGradKernel(memory) : null;
    if (!simd) {
      out.fill(0);
      maxPoolBackprop(view(input), view(dy), out, info);
      return dx;
    }
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: c } = info;
    const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = info;
    if (h % kh !== 0 || w % kw !== 0) out.fill(0); // rows and columns no window covers
    const at = (t: tf.TensorInfo) => be.getMemoryOffset(t.dataId);
    simd(at(input), at(dy), at(dx), n, h, w, c, oh, ow, kh, kw);
    return dx;
  },
};

/**
 * Whether the windows tile the input (stride = window, no padding, dilation 1) with `C % 4 = 0`:
 * the case of the SIMD kernel (`simd/max-pool-grad-module.ts`), e.g. the 2×2/2 pooling of the
 * models.
 */
export function tilingWindows(info: tf.backend_util.Conv2DInfo): boolean {
  const { padInfo: p } = info;
  return (
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    info.strideHeight === info.filterHeight &&
    info.strideWidth === info.filterWidth &&
    p.top === 0 &&
    p.left === 0 &&
    p.bottom === 0 &&
    p.right === 0 &&
    info.outHeight * info.filterHeight <= info.inHeight &&
    info.outWidth * info.filterWidth <= info.inWidth &&
    info.inChannels % 4 === 0
  );
}

/** `dx[argmax of each window] += dy[window]`, channel by channel (`dx` must be zero). */
function maxPoolBackprop(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  info: tf.backend_util.Conv2DInfo,
): void {
  const {
    batchSize: n,
    inHeight: h,
    inWidth: w,
    inChannels: c,
    outHeight: oh,
    outWidth: ow,
  } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { effectiveFilterHeight: kh, effectiveFilterWidth: kw, padInfo } = info;
  const maxValue = new Float32Array(c);
  const maxIndex = new Int32Array(c);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - padInfo.top;
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - padInfo.left;
        maxValue.fill(Number.NEGATIVE_INFINITY);
        maxIndex.fill(-1);
        for (let i = 0; i < kh; i += dh) {
          const iy = y0 + i;
          if (iy < 0 || iy >= h) continue;
          for (let j = 0; j < kw; j += dw) {
            const ix = x0 + j;
            if (ix < 0 || ix >= w) continue;
            const base = ((b * h + iy) * w + ix) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = x[base + ch] as number;
              if (v > (maxValue[ch] as number)) {
                maxValue[ch] = v;
                maxIndex[ch] = base + ch;
              }
            }
          }
        }
        const dyBase = ((b * oh + oy) * ow + ox) * c;
        for (let ch = 0; ch < c; ch++) {
          const at = maxIndex[ch] as number;
          if (at >= 0) dx[at] = (dx[at] as number) + (dy[dyBase + ch] as number);
        }
      }
    }
  }
}
