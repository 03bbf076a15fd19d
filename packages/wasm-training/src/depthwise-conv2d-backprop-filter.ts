import type * as tf from '@tensorflow/tfjs-core';
import { padOrCrop, unsupported } from './conv-util';
import { defineWasmKernel } from './define-kernel';
import { depthwiseConvInfo, runSimdDepthwise } from './simd/depthwise-simd';

const NAME = 'DepthwiseConv2dNativeBackpropFilter';
/** Bytes of padded input per chunk of the batch. */
const CHUNK_BYTES = 32 * 2 ** 20;

/**
 * `DepthwiseConv2dNativeBackpropFilter` for wasm:
 * `dW[i, j, c, m] = Σ_{n, y, x} xpad[n, y·sh + i·dh, x·sw + j·dw, c] · dy[n, y, x, c·M + m]`
 * as one `DepthwiseConv2dNative` over `C·M·N` channels: the input `[1, H', W', (c, m, n)]`
 * convolved with `dy` `[oH, oW, (c, m, n), 1]` as filter (stride = dilation, dilation = stride),
 * then summed over `n`.
 *
 * With channel multiplier 1, dilation 1 and `C % 4 = 0` (the group convs' case) it runs the SIMD
 * kernel of `simd/depthwise-module.ts` instead (≈ 10× faster on 7×7 filters).
 *
 * Supports NHWC, any strides, dilations, channel multiplier, pad form and dimRoundingMode.
 */
export const depthwiseConv2dNativeBackpropFilterConfig = defineWasmKernel(
  NAME,
  (s, inputs, attrs) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
    if (x.dtype !== 'float32' || dy.dtype !== 'float32')
      unsupported(NAME, 'dtype', [x.dtype, dy.dtype], 'float32 x and dy');
    const { info, simd } = depthwiseConvInfo(s.backend, x.shape, a.filterShape, a);
    if (simd) return runSimdDepthwise('backpropFilter', s.backend, x, dy, simd);
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const m = a.filterShape[3];
    const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
    const { dilationHeight: dh, dilationWidth: dw, outHeight: oh, outWidth: ow, padInfo } = info;
    const needH = (kh - 1) * dh + (oh - 1) * sh + 1;
    const needW = (kw - 1) * dw + (ow - 1) * sw + 1;
    // The batch in chunks of at most CHUNK_BYTES of padded input: the one-conv formulation holds
    // ~4 copies of its chunk plus XNNPACK's packed dy, which for the Sim(2) model's [16, 28, 28,
    // 1536] maps did not fit next to the activations in the 4 GiB wasm heap.
    const nb = Math.max(1, Math.min(n, Math.floor(CHUNK_BYTES / (needH * needW * c * m * 4))));
    let total: tf.TensorInfo | null = null;
    for (let n0 = 0; n0 < n; n0 += nb) {
      const k = Math.min(nb, n - n0);
      const xc = k === n ? x : s.slice(x, [n0, 0, 0, 0], [k, h, w, c]);
      const dyc = k === n ? dy : s.slice(dy, [n0, 0, 0, 0], [k, oh, ow, c * m]);
      let xp = padOrCrop(s, xc, [
        [padInfo.top, needH - h - padInfo.top],
        [padInfo.left, needW - w - padInfo.left],
      ]);
      if (xc !== x && xp !== xc) s.free(xc);
      if (m > 1) {
        const r = s.reshape(xp, [k, needH, needW, c, 1]);
        const t = s.run('Tile', { x: r }, { reps: [1, 1, 1, 1, m] });
        s.free(xp, r);
        xp = s.reshape(t, [k, needH, needW, c * m]);
        s.free(t);
      }
      const xt = s.transpose(xp, [1, 2, 3, 0]);
      if (xp !== x) s.free(xp);
      const xr = s.reshape(xt, [1, needH, needW, c * m * k]);
      const dyt = s.transpose(dyc, [1, 2, 3, 0]);
      if (dyc !== dy) s.free(dyc);
      const f = s.reshape(dyt, [oh, ow, c * m * k, 1]);
      s.free(xt, dyt);
      const o = s.run(
        'DepthwiseConv2dNative',
        { x: xr, filter: f },
        { strides: [dh, dw], dilations: [sh, sw], pad: 'valid', dataFormat: 'NHWC' },
      );
      s.free(xr, f);
      const o4 = s.reshape(o, [kh * kw * c * m, k]);
      s.free(o);
      const part = s.sum(o4, [1]);
      s.free(o4);
      if (total === null) total = part;
      else {
        const next = s.binary('Add', total, part);
        s.free(total, part);
        total = next;
      }
    }
    const summed = total!;
    return s.reshape(summed, [kh, kw, c, m]);
  },
);
