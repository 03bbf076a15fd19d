import * as tf from '@tensorflow/tfjs-core';
import { convMaps } from '../memory/layer-memory';
import { circulantMixingPays } from '../ops/circulant-mixing';
import { separable2dGroupConv2d } from '../ops/separable2d-group-conv2d';
import { convOptions, type GroupConvFactorisation } from './factorisation';
import { depthwiseFilter } from './kernel-layouts';
import { twoSubgroupFactors } from './two-subgroup-factors';

/**
 * `separable+2d` kernels: the rotation/channel mixing `[R·Cin, R·Cout]`, the per-channel scale
 * mixing `[Cout, S_in, S_out]` and the depthwise filter `[k, k, R·S·Cout, 1]`.
 */
export type Separable2dKernels = {
  implementation: 'separable+2d';
  rotationMixing: tf.Tensor2D;
  scaleMixing: tf.Tensor3D;
  spatial: tf.Tensor4D;
};

/**
 * `separable+2d` (Sim(2) only): k^{SO2}_{o,c}(Δθ)·k^{R⁺}_o(Δln s)·k^{R²}_o(x), H = SO(2)×R⁺
 * factored into its two parts: rotation/channel mixing, per-channel scale mixing, depthwise
 * spatial conv.
 */
export const separable2d: GroupConvFactorisation<'separable+2d', Separable2dKernels> = {
  name: 'separable+2d',
  kernel: 'k^{SO2}_{o,c}(Δθ)·k^{R⁺}_o(Δln s)·k^{R²}_o(x)',
  subgroups: ['rotation-scale'],
  projection: false,
  netSpecs: (_group, cin, cout, k) => ({
    kernelSO2: { inputDim: 1, outputDim: cout * cin, finalFanIn: cin },
    kernelRplus: { inputDim: 1, outputDim: cout, finalFanIn: 1 },
    kernelRn: { inputDim: 2, outputDim: cout, finalFanIn: k * k },
  }),
  sample: (params, hOut, hIn, { inChannels: ci, outChannels: co }, options) =>
    tf.tidy(() => {
      const { nRotations: r, nScales: s } = options.grid;
      const f = twoSubgroupFactors(params, 'separable+2d', hOut, hIn, co, ci, options);
      return {
        implementation: 'separable+2d' as const,
        rotationMixing: tf.reshape(tf.transpose(f.rotation, [1, 3, 0, 2]), [
          r * ci,
          r * co,
        ]) as tf.Tensor2D,
        scaleMixing: tf.transpose(tf.reshape(f.scale, [s, s, co]), [2, 1, 0]) as tf.Tensor3D, // [Co, S_in, S_out]
        spatial: depthwiseFilter(f.spatial, options.kernelSize),
      };
    }),
  apply: (x, kernels, options) =>
    separable2dGroupConv2d(x, kernels.rotationMixing, kernels.scaleMixing, kernels.spatial, {
      ...convOptions(options),
      nRotations: options.grid.nRotations,
      nScales: options.grid.nScales,
      // k^{SO2}(θ_in − θ_out) on the uniform rotation grid: circulant; Fourier form where it pays
      circulant: circulantMixingPays(
        x.shape[0] * x.shape[1] * x.shape[2] * options.grid.nScales,
        options.grid.nRotations,
        x.shape[4],
        kernels.scaleMixing.shape[0],
      ),
    }),
  // one customGrad op that keeps only its input; its backward recomputes the mixings
  trainingMemory: (d) => {
    const m = convMaps(d);
    return {
      activations: { saved: 0, forward: m.mid + m.output, backward: 3 * m.mid },
      kernelNets: [
        { points: d.nRotations * d.nRotations, outputDim: d.cOut * d.cIn },
        { points: d.nScales * d.nScales, outputDim: d.cOut },
        { points: d.gOut * d.kernelSize * d.kernelSize, outputDim: d.cOut },
      ],
      assembledKernel: 0,
    };
  },
};
