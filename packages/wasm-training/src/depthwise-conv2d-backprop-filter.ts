import * as tf from '@tensorflow/tfjs-core';
import { padOrCrop, pair, unsupported } from './conv-util';
import { defineWasmKernel } from './define-kernel';

const NAME = 'DepthwiseConv2dNativeBackpropFilter';

/**
 * `DepthwiseConv2dNativeBackpropFilter` for wasm:
 * `dW[i, j, c, m] = Σ_{n, y, x} xpad[n, y·sh + i·dh, x·sw + j·dw, c] · dy[n, y, x, c·M + m]`
 * as one `DepthwiseConv2dNative` over `C·M·N` channels: the input `[1, H', W', (c, m, n)]`
 * convolved with `dy` `[oH, oW, (c, m, n), 1]` as filter (stride = dilation, dilation = stride),
 * then summed over `n`.
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
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      a.filterShape,
      a.strides,
      pair(a.dilations),
      a.pad,
      a.dimRoundingMode,
      true,
    );
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const m = a.filterShape[3];
    const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
    const { dilationHeight: dh, dilationWidth: dw, outHeight: oh, outWidth: ow, padInfo } = info;
    const needH = (kh - 1) * dh + (oh - 1) * sh + 1;
    const needW = (kw - 1) * dw + (ow - 1) * sw + 1;
    let xp = padOrCrop(s, x, [
      [padInfo.top, needH - h - padInfo.top],
      [padInfo.left, needW - w - padInfo.left],
    ]);
    if (m > 1) {
      const r = s.reshape(xp, [n, needH, needW, c, 1]);
      const t = s.run('Tile', { x: r }, { reps: [1, 1, 1, 1, m] });
      s.free(xp, r);
      xp = s.reshape(t, [n, needH, needW, c * m]);
      s.free(t);
    }
    const xt = s.transpose(xp, [1, 2, 3, 0]);
    s.free(xp);
    const xr = s.reshape(xt, [1, needH, needW, c * m * n]);
    const dyt = s.transpose(dy, [1, 2, 3, 0]);
    const f = s.reshape(dyt, [oh, ow, c * m * n, 1]);
    s.free(xt, dyt);
    const o = s.run(
      'DepthwiseConv2dNative',
      { x: xr, filter: f },
      { strides: [dh, dw], dilations: [sh, sw], pad: 'valid', dataFormat: 'NHWC' },
    );
    s.free(xr, f);
    const o4 = s.reshape(o, [kh * kw * c * m, n]);
    s.free(o);
    const summed = s.sum(o4, [1]);
    return s.reshape(summed, [kh, kw, c, m]);
  },
);
