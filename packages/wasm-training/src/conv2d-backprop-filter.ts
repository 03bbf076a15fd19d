import * as tf from '@tensorflow/tfjs-core';
import { padOrCrop, pair, unsupported } from './conv-util';
import { defineWasmKernel } from './define-kernel';
import { runSingleChannelConv, singleChannelConvApplies } from './single-channel-conv';

const NAME = 'Conv2DBackpropFilter';

/**
 * `Conv2DBackpropFilter` for wasm: the filter gradient
 * `dW[i, j, ci, co] = Σ_{n, y, x} xpad[n, y·sh + i·dh, x·sw + j·dw, ci] · dy[n, y, x, co]`
 * computed as one forward `Conv2D` (XNNPACK) of the transposed input `[Cin, H', W', N]` with the
 * transposed `dy` `[oH, oW, N, Cout]` as filter, stride = the dilation and dilation = the stride
 * (TensorFlow's classic trick), then transposed back to `[kh, kw, Cin, Cout]`.
 *
 * One input channel (a lifting layer on grey images), dilation 1, `Cout % 4 = 0` and filters up to
 * 7 wide take a SIMD kernel instead (`single-channel-conv.ts`).
 *
 * Supports NHWC, any strides, any dilations (the attribute is optional; tfjs-core 4.22 does not
 * pass one), pad 'same' / 'valid' / number / explicit, dimRoundingMode.
 */
export const conv2DBackpropFilterConfig = defineWasmKernel(NAME, (s, inputs, attrs) => {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs & {
    dilations?: number | [number, number];
  };
  if (a.dataFormat !== undefined && a.dataFormat !== 'NHWC')
    unsupported(NAME, 'dataFormat', a.dataFormat, "'NHWC'");
  if (x.dtype !== 'float32' || dy.dtype !== 'float32')
    unsupported(NAME, 'dtype', [x.dtype, dy.dtype], 'float32 x and dy');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    pair(a.dilations),
    a.pad,
    a.dimRoundingMode,
    false,
    'channelsLast',
  );
  if (singleChannelConvApplies(s.backend, info)) {
    return runSingleChannelConv('filterGrad', s.backend, x, dy, info);
  }
  const [, h, w] = x.shape as [number, number, number, number];
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw, outHeight: oh, outWidth: ow, padInfo } = info;
  // Exactly the rows/cols the taps read: (kh−1)·dh + (oH−1)·sh + 1.
  const needH = (kh - 1) * dh + (oh - 1) * sh + 1;
  const needW = (kw - 1) * dw + (ow - 1) * sw + 1;
  const xp = padOrCrop(s, x, [
    [padInfo.top, needH - h - padInfo.top],
    [padInfo.left, needW - w - padInfo.left],
  ]);
  const xt = s.transpose(xp, [3, 1, 2, 0]);
  s.free(xp);
  const dyt = s.transpose(dy, [1, 2, 0, 3]);
  const o = s.run(
    'Conv2D',
    { x: xt, filter: dyt },
    { strides: [dh, dw], dilations: [sh, sw], pad: 'valid', dataFormat: 'NHWC' },
  );
  s.free(xt, dyt);
  return s.transpose(o, [1, 2, 0, 3]);
});
