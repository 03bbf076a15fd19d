import * as tf from '@tensorflow/tfjs-core';
import { convMaps } from '../memory/layer-memory';
import { dgSeparableGroupConv2d } from '../ops/d-separable-group-conv2d';
import {
  convOptions,
  EVERY_SUBGROUP,
  type GroupConvFactorisation,
  requireParam,
} from './factorisation';
import { depthwiseFilter } from './kernel-layouts';
import { oneSubgroupFactors } from './one-subgroup-factors';

/**
 * `dgseparable` kernels: the channel projection `[Cin, Cout]`, the per-channel group mixing
 * `[Cout, Gin, Gout]` and the depthwise filter `[k, k, Gout·Cout, 1]`.
 */
export type DgSeparableKernels = {
  implementation: 'dgseparable';
  projection: tf.Tensor2D;
  mixing: tf.Tensor3D;
  spatial: tf.Tensor4D;
};

/**
 * `dgseparable`: w_{o,c}·k^H_o(h)·k^{R²}_o(x), a channel projection, a per-channel 1×1 group
 * mixing and a depthwise spatial conv.
 */
export const dgseparable: GroupConvFactorisation<'dgseparable', DgSeparableKernels> = {
  name: 'dgseparable',
  kernel: 'w_{o,c}·k^H_o(h)·k^{R²}_o(x)',
  subgroups: EVERY_SUBGROUP,
  projection: true,
  netSpecs: (group, _cin, cout, k) => ({
    kernelH: { inputDim: group.subgroup.dof, outputDim: cout, finalFanIn: 1 },
    kernelRn: { inputDim: 2, outputDim: cout, finalFanIn: k * k },
  }),
  sample: (params, hOut, hIn, _channels, options) =>
    tf.tidy(() => {
      const { h, rn } = oneSubgroupFactors(params, 'dgseparable', hOut, hIn, options); // h [Gout, Gin, Co]
      return {
        implementation: 'dgseparable' as const,
        projection: tf.clone(requireParam(params, 'dgseparable', 'projection')),
        mixing: tf.transpose(h, [2, 1, 0]) as tf.Tensor3D,
        spatial: depthwiseFilter(rn, options.kernelSize),
      };
    }),
  apply: (x, kernels, options) =>
    dgSeparableGroupConv2d(
      x,
      kernels.projection,
      kernels.mixing,
      kernels.spatial,
      convOptions(options),
    ),
  // projection and mixed map kept; the per-channel mixing's transposes are transient
  trainingMemory: (d) => {
    const m = convMaps(d);
    return {
      activations: {
        saved: m.proj + m.mid,
        forward: m.proj + 3 * m.mid + m.output,
        backward: m.mid + m.input,
      },
      kernelNets: [
        { points: d.gOut * d.gIn, outputDim: d.cOut },
        { points: d.gOut * d.kernelSize * d.kernelSize, outputDim: d.cOut },
      ],
      assembledKernel: 0,
    };
  },
};
