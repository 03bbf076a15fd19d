import * as tf from '@tensorflow/tfjs-core';
import { fullGroupKernel } from '../kernels/full-group-kernel';
import { convMaps } from '../memory/layer-memory';
import { groupConv2d } from '../ops/group-conv2d';
import {
  convOptions,
  EVERY_SUBGROUP,
  type GroupConvFactorisation,
  requireParam,
} from './factorisation';

/** `nonseparable` kernels: the dense filter `[k, k, Gin·Cin, Gout·Cout]`. */
export type NonseparableKernels = {
  implementation: 'nonseparable';
  filter: tf.Tensor4D;
};

/**
 * `nonseparable`: k_{o,c}(x, h), one kernel net over (x, log(h_out⁻¹h_in)) with Cout·Cin
 * outputs, applied as one dense conv over (C_in·G_in, k, k).
 */
export const nonseparable: GroupConvFactorisation<'nonseparable', NonseparableKernels> = {
  name: 'nonseparable',
  kernel: 'k_{o,c}(x, h)',
  subgroups: EVERY_SUBGROUP,
  projection: false,
  netSpecs: (group, cin, cout, k) => ({
    kernel: { inputDim: 2 + group.subgroup.dof, outputDim: cout * cin, finalFanIn: cin * k * k },
  }),
  sample: (params, hOut, hIn, { inChannels: ci, outChannels: co }, options) =>
    tf.tidy(() => {
      const k = options.kernelSize;
      const [gOut, gIn] = [hOut.shape[0], hIn.shape[0]];
      const net = requireParam(params, 'nonseparable', 'kernel');
      const values = fullGroupKernel(hOut, hIn, net, options); // [Gout, Gin, k², Co·Ci]
      const filter = tf.transpose(
        tf.reshape(values, [gOut, gIn, k, k, co, ci]),
        [2, 3, 1, 5, 0, 4],
      );
      return {
        implementation: 'nonseparable' as const,
        filter: tf.reshape(filter, [k, k, gIn * ci, gOut * co]) as tf.Tensor4D,
      };
    }),
  apply: (x, kernels, options) =>
    groupConv2d(x, kernels.filter, options.groupOut, convOptions(options)),
  // conv2d keeps its input (the previous layer's output) and the filter; dx is the input's size
  trainingMemory: (d) => {
    const m = convMaps(d);
    const k2 = d.kernelSize * d.kernelSize;
    return {
      activations: { saved: 0, forward: m.output, backward: m.input },
      kernelNets: [{ points: d.gOut * d.gIn * k2, outputDim: d.cOut * d.cIn }],
      assembledKernel: 0,
    };
  },
};
