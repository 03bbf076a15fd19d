import * as tf from '@tensorflow/tfjs-core';
import { fullGroupKernel } from '../kernels/full-group-kernel';
import { convMaps } from '../memory/layer-memory';
import { dSeparableGroupConv2d } from '../ops/d-separable-group-conv2d';
import {
  convOptions,
  EVERY_SUBGROUP,
  type GroupConvFactorisation,
  requireParam,
} from './factorisation';

/** `dseparable` kernels: the channel projection `[Cin, Cout]` and the per-channel group filter `[k, k, Gin·Cout, Gout]`. */
export type DSeparableKernels = {
  implementation: 'dseparable';
  projection: tf.Tensor2D;
  filter: tf.Tensor4D;
};

/**
 * `dseparable`: w_{o,c}·k_o(x, h), a channel projection followed by a group conv of each
 * projected channel with its own kernel over (x, h).
 */
export const dseparable: GroupConvFactorisation<'dseparable', DSeparableKernels> = {
  name: 'dseparable',
  kernel: 'w_{o,c}·k_o(x, h)',
  subgroups: EVERY_SUBGROUP,
  projection: true,
  netSpecs: (group, _cin, cout, k) => ({
    kernel: { inputDim: 2 + group.subgroup.dof, outputDim: cout, finalFanIn: k * k },
  }),
  sample: (params, hOut, hIn, { outChannels: co }, options) =>
    tf.tidy(() => {
      const k = options.kernelSize;
      const [gOut, gIn] = [hOut.shape[0], hIn.shape[0]];
      const net = requireParam(params, 'dseparable', 'kernel');
      const values = fullGroupKernel(hOut, hIn, net, options); // [Gout, Gin, k², Co]
      const filter = tf.transpose(tf.reshape(values, [gOut, gIn, k, k, co]), [2, 3, 1, 4, 0]); // [k, k, Gin, Co, Gout]
      return {
        implementation: 'dseparable' as const,
        projection: tf.clone(requireParam(params, 'dseparable', 'projection')),
        filter: tf.reshape(filter, [k, k, gIn * co, gOut]) as tf.Tensor4D,
      };
    }),
  apply: (x, kernels, options) =>
    dSeparableGroupConv2d(x, kernels.projection, kernels.filter, convOptions(options)),
  // the projection is kept; the depthwise conv with multiplier Gout writes Gin·(output map)
  trainingMemory: (d) => {
    const m = convMaps(d);
    return {
      activations: {
        saved: m.proj,
        forward: m.proj + (d.gIn + 2) * m.output,
        backward: m.proj + m.input + 2 * d.gIn * m.output,
      },
      kernelNets: [{ points: d.gOut * d.gIn * d.kernelSize * d.kernelSize, outputDim: d.cOut }],
      assembledKernel: 0,
    };
  },
};
