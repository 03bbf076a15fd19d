import type * as tf from '@tensorflow/tfjs-core';
import { guardWasmHeap } from './heap-guard';
import {
  type DepthwiseAttrs,
  type DepthwiseGeometry,
  depthwiseConvInfo,
  runSimdDepthwise,
} from './simd/depthwise-simd';
import { runStockKernel } from './stock-kernels';

const NAME = 'DepthwiseConv2dNative';

/**
 * `DepthwiseConv2dNative` for wasm: the 128-bit SIMD kernel of `simd/depthwise-module.ts`
 * (≈ 6× the stock XNNPACK kernel on 7×7 filters) for float32 NHWC with channel multiplier 1,
 * dilation 1 and `C % 4 = 0`; every other case runs the stock kernel.
 */
export const depthwiseConv2dNativeConfig: tf.KernelConfig = {
  kernelName: NAME,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { inputs, attrs, backend } = args;
    const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const g = forwardGeometry(backend as tf.KernelBackend, x, filter, attrs);
    if (g) {
      guardWasmHeap(backend as tf.KernelBackend);
      return runSimdDepthwise('forward', backend as tf.KernelBackend, x, filter, g);
    }
    return runStockKernel(NAME, args);
  },
};

/**
 * The geometry of a depthwise forward conv of `x` with `filter` where the SIMD kernel runs it
 * (float32 NHWC, channel multiplier 1, dilation 1, `C % 4 = 0`, wasm SIMD), else null.
 */
export function forwardGeometry(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  attrs: tf.NamedAttrMap | undefined,
): DepthwiseGeometry | null {
  const a = attrs as unknown as DepthwiseAttrs & { dataFormat?: string };
  if (x.dtype !== 'float32' || filter.dtype !== 'float32' || a.dataFormat === 'NCHW') return null;
  return depthwiseConvInfo(backend, x.shape, filter.shape, a).simd;
}
