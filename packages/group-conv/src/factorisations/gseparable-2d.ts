import * as tf from '@tensorflow/tfjs-core';
import { convMaps } from '../memory/layer-memory';
import { gSeparable2dGroupConv2d } from '../ops/separable2d-group-conv2d';
import { convOptions, type GroupConvFactorisation } from './factorisation';
import { depthwiseFilter } from './kernel-layouts';
import { twoSubgroupFactors } from './two-subgroup-factors';

/**
 * `gseparable+2d` kernels: the rotation mixing per input channel `[Cin, R, R·Cout]`, the scale
 * mixing `[Cout, Cin, S_in, S_out]` and the depthwise filter `[k, k, R·S·Cout·Cin, 1]`.
 */
export type GSeparable2dKernels = {
  implementation: 'gseparable+2d';
  rotationMixing: tf.Tensor3D;
  scaleMixing: tf.Tensor4D;
  spatial: tf.Tensor4D;
};

/**
 * `gseparable+2d` (Sim(2) only): k^{SO2}_{o,c}·k^{R⁺}_{o,c}·k^{R²}_{o,c}, every factor per
 * (o, c): rotation mixing, scale mixing, per-(o, c) depthwise spatial conv summed over c.
 */
export const gSeparable2d: GroupConvFactorisation<'gseparable+2d', GSeparable2dKernels> = {
  name: 'gseparable+2d',
  kernel: 'k^{SO2}_{o,c}(Δθ)·k^{R⁺}_{o,c}(Δln s)·k^{R²}_{o,c}(x)',
  subgroups: ['rotation-scale'],
  projection: false,
  netSpecs: (_group, cin, cout, k) => ({
    kernelSO2: { inputDim: 1, outputDim: cout * cin, finalFanIn: cin },
    kernelRplus: { inputDim: 1, outputDim: cout * cin, finalFanIn: cin },
    kernelRn: { inputDim: 2, outputDim: cout * cin, finalFanIn: cin * k * k },
  }),
  sample: (params, hOut, hIn, { inChannels: ci, outChannels: co }, options) =>
    tf.tidy(() => {
      const { nRotations: r, nScales: s } = options.grid;
      const f = twoSubgroupFactors(params, 'gseparable+2d', hOut, hIn, co, ci, options);
      const scaleMixing = tf.transpose(tf.reshape(f.scale, [s, s, co, ci]), [2, 3, 1, 0]); // [Co, Ci, S_in, S_out]
      return {
        implementation: 'gseparable+2d' as const,
        rotationMixing: tf.reshape(tf.transpose(f.rotation, [3, 1, 0, 2]), [
          ci,
          r,
          r * co,
        ]) as tf.Tensor3D,
        scaleMixing: scaleMixing as tf.Tensor4D,
        spatial: depthwiseFilter(f.spatial, options.kernelSize),
      };
    }),
  apply: (x, kernels, options) =>
    gSeparable2dGroupConv2d(x, kernels.rotationMixing, kernels.scaleMixing, kernels.spatial, {
      ...convOptions(options),
      nRotations: options.grid.nRotations,
      nScales: options.grid.nScales,
    }),
  // every map per (output, input) channel: Cin × the mixed map, kept twice (scale mixing input,
  // depthwise input)
  trainingMemory: (d) => {
    const m = convMaps(d);
    return {
      activations: {
        saved: m.input + 2 * d.cIn * m.mid,
        forward: m.input + 5 * d.cIn * m.mid + m.output,
        backward: 3 * d.cIn * m.mid,
      },
      kernelNets: [
        { points: d.nRotations * d.nRotations, outputDim: d.cOut * d.cIn },
        { points: d.nScales * d.nScales, outputDim: d.cOut * d.cIn },
        { points: d.gOut * d.kernelSize * d.kernelSize, outputDim: d.cOut * d.cIn },
      ],
      assembledKernel: 0,
    };
  },
};
