import type * as tf from '@tensorflow/tfjs-core';
import { forwardGeometry } from './depthwise-conv2d-native';
import { channelVector } from './fused-batch-norm';
import { guardWasmHeap } from './heap-guard';
import { runSimdDepthwise } from './simd/depthwise-simd';
import { runStockKernel } from './stock-kernels';

const NAME = 'FusedDepthwiseConv2D';

/**
 * `FusedDepthwiseConv2D` (`tf.fused.depthwiseConv2d`) for wasm: where the SIMD depthwise kernel
 * applies (see `DepthwiseConv2dNative`) and the fusion is a bias `[C]` with a linear or ReLU
 * activation, or no bias and a linear one, the SIMD kernel adds the bias and applies the ReLU
 * as it stores each output vector — one pass instead of three (conv, bias, ReLU). That is
 * @gcnn/group-conv's separable conv with an inference batch norm and its ReLU folded in. Other
 * fusions (PReLU, leaky ReLU, …, broadcast biases) run the stock kernel.
 */
export const fusedDepthwiseConv2DConfig: tf.KernelConfig = {
  kernelName: NAME,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { inputs, attrs, backend } = args;
    const { x, filter, bias, preluActivationWeights } = inputs as {
      x: tf.TensorInfo;
      filter: tf.TensorInfo;
      bias?: tf.TensorInfo;
      preluActivationWeights?: tf.TensorInfo;
    };
    const { activation } = attrs as unknown as tf.FusedDepthwiseConv2DAttrs;
    const be = backend as tf.KernelBackend;
    const g = preluActivationWeights ? null : forwardGeometry(be, x, filter, attrs);
    // the SIMD kernel runs a [C] bias with a linear or ReLU activation, or no bias and linear
    const withBias = g !== null && channelVector(bias, g.c);
    const linear = activation === 'linear';
    if (g && (withBias ? linear || activation === 'relu' : bias === undefined && linear)) {
      guardWasmHeap(be);
      const epilogue = withBias ? { bias: bias!, relu: activation === 'relu' } : undefined;
      return runSimdDepthwise('forward', be, x, filter, g, epilogue);
    }
    return runStockKernel(NAME, args);
  },
};
