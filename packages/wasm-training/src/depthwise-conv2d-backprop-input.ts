import type * as tf from '@tensorflow/tfjs-core';
import { unsupported } from './conv-util';
import { convTransposeAsConv } from './conv2d-backprop-input';
import { defineWasmKernel } from './define-kernel';
import { depthwiseConvInfo, runSimdDepthwise } from './simd/depthwise-simd';

const NAME = 'DepthwiseConv2dNativeBackpropInput';

/**
 * `DepthwiseConv2dNativeBackpropInput` for wasm: a stride-1 `DepthwiseConv2dNative` of `dy`
 * (spread with zeros by the stride, padded by `(k−1)·d − pad`) with the spatially reversed filter
 * `[kh, kw, C·M, 1]`; for a channel multiplier `M > 1` the `M` outputs of each channel are summed.
 *
 * With channel multiplier 1, dilation 1 and `C % 4 = 0` (the group convs' case) it runs the SIMD
 * kernel of `simd/depthwise-module.ts` instead (≈ 4× faster on 7×7 filters).
 *
 * Supports NHWC, any strides, dilations, channel multiplier, pad form and dimRoundingMode.
 */
export const depthwiseConv2dNativeBackpropInputConfig = defineWasmKernel(
  NAME,
  (s, inputs, attrs) => {
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
    if (dy.dtype !== 'float32' || filter.dtype !== 'float32')
      unsupported(NAME, 'dtype', [dy.dtype, filter.dtype], 'float32 dy and filter');
    const inputShape = a.inputShape as [number, number, number, number];
    const { info, simd } = depthwiseConvInfo(s.backend, inputShape, filter.shape, a);
    if (simd) return runSimdDepthwise('backpropInput', s.backend, dy, filter, simd);
    const dx = convTransposeAsConv(s, dy, filter, info, inputShape, 'DepthwiseConv2dNative');
    const m = filter.shape[3] as number;
    if (m === 1) return dx;
    const [n, h, w, c] = inputShape;
    const r = s.reshape(dx, [n, h, w, c, m]);
    return s.sum(r, [4]);
  },
);
