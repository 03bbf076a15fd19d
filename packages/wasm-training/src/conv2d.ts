import * as tf from '@tensorflow/tfjs-core';
import { pair } from './conv-util';
import { dropPackedWeights } from './packed-weights';
import { runSingleChannelConv, singleChannelConvApplies } from './single-channel-conv';
import { runStockKernel } from './stock-kernels';

const NAME = 'Conv2D';

/**
 * `Conv2D` for wasm: one input channel (a lifting layer on grey images: `[16,28,28,1]` with a
 * 5×5 filter to 128 channels took XNNPACK 10.5 ms of CPU for 80 MFLOP) runs the SIMD kernel of
 * `single-channel-conv.ts` for float32 NHWC, dilation 1, `Cout % 4 = 0` and filters up to 7
 * wide; every other case runs the stock (XNNPACK) kernel, after which XNNPACK's packed copy of
 * the filter is freed (`packed-weights.ts`: the stock kernel would keep it as long as the filter).
 */
export const conv2DConfig: tf.KernelConfig = {
  kernelName: NAME,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { inputs, attrs, backend } = args;
    const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const a = attrs as unknown as tf.Conv2DAttrs;
    if (
      x.dtype === 'float32' &&
      filter.dtype === 'float32' &&
      a.dataFormat !== 'NCHW' &&
      x.shape[3] === 1
    ) {
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        filter.shape as [number, number, number, number],
        a.strides,
        pair(a.dilations),
        a.pad,
        a.dimRoundingMode,
        false,
        'channelsLast',
      );
      const be = backend as tf.KernelBackend;
      if (singleChannelConvApplies(be, info))
        return runSingleChannelConv('forward', be, x, filter, info);
    }
    const out = runStockKernel(NAME, args);
    dropPackedWeights(backend, filter);
    return out;
  },
};
