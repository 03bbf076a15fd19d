import * as tf from '@tensorflow/tfjs-core';
import type { KernelNet } from './kernel-net';
import type { KernelOptions } from './kernel-options';
import { spatialKernel } from './spatial-kernel';

/**
 * The lifting conv filter `[k, k, Cin, G·Cout]` (output index g·C_out + o) from a kernel net with
 * 2 inputs and Cout·Cin outputs, for output elements `[G, paramDim]`.
 */
export function sampleLiftingFilter(
  elements: tf.Tensor2D,
  net: KernelNet,
  inChannels: number,
  outChannels: number,
  options: KernelOptions,
): tf.Tensor4D {
  const k = options.kernelSize;
  if (net.config.outputDim !== inChannels * outChannels || net.config.inputDim !== 2) {
    throw new Error(
      `Error in sampleLiftingFilter: the kernel net must map 2 → Cout·Cin = ${outChannels * inChannels} values, got ${net.config.inputDim} → ${net.config.outputDim}`,
    );
  }
  return tf.tidy(() => {
    const g = elements.shape[0];
    const values = spatialKernel(elements, net, options, 'lifting'); // [G, k², Cout·Cin]
    const filter = tf.transpose(
      tf.reshape(values, [g, k, k, outChannels, inChannels]),
      [1, 2, 4, 0, 3],
    );
    return tf.reshape(filter, [k, k, inChannels, g * outChannels]);
  });
}
