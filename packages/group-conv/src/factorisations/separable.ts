import * as tf from '@tensorflow/tfjs-core';
import { isReference, type KernelOptions } from '../kernels/kernel-options';
import { convMaps } from '../memory/layer-memory';
import { circulantMixingPays } from '../ops/circulant-mixing';
import { separableGroupConv2d } from '../ops/separable-group-conv2d';
import { convOptions, EVERY_SUBGROUP, type GroupConvFactorisation } from './factorisation';
import { depthwiseFilter, mixingMatrix } from './kernel-layouts';
import { oneSubgroupFactors } from './one-subgroup-factors';

/** `separable` kernels: the group/channel mixing `[Gin·Cin, Gout·Cout]` and the depthwise filter `[k, k, Gout·Cout, 1]`. */
export type SeparableKernels = {
  implementation: 'separable';
  mixing: tf.Tensor2D;
  spatial: tf.Tensor4D;
  /** R where `mixing` is block-circulant over the R rotations (separableGroupConv2d's option). */
  circulantRotations?: number;
};

/**
 * k^H(h_out⁻¹h_in) sampled on the uniform rotation grid is block-circulant over the rotations,
 * except in reference mode on SO(2)×R⁺, whose scale mask reads mis-indexed offsets (quirk Q2 of
 * subgroup-kernel.ts).
 */
function circulantRotations(options: KernelOptions): { circulantRotations?: number } {
  const { subgroup } = options.group;
  if (subgroup.kind === 'scale') return {};
  if (subgroup.kind === 'rotation-scale' && isReference(options)) return {};
  return { circulantRotations: options.grid.nRotations };
}

/** `kernels.circulantRotations` where the Fourier form pays for this call's product (else dense). */
function fourierRotations(x: tf.Tensor5D, kernels: SeparableKernels): number | undefined {
  const r = kernels.circulantRotations;
  if (r === undefined) return undefined;
  const [b, h, w, g, c] = x.shape;
  const pays = circulantMixingPays(b * h * w, r, (g * c) / r, kernels.mixing.shape[1] / r);
  return pays ? r : undefined;
}

/**
 * `separable`: k^H_{o,c}(h)·k^{R²}_o(x), applied as a 1×1 group/channel mixing followed by a
 * depthwise spatial conv (the paper's main variant).
 */
export const separable: GroupConvFactorisation<'separable', SeparableKernels> = {
  name: 'separable',
  kernel: 'k^H_{o,c}(h)·k^{R²}_o(x)',
  subgroups: EVERY_SUBGROUP,
  projection: false,
  foldsEpilogue: true,
  netSpecs: (group, cin, cout, k) => {
    // The reference initialises the H-net of the scale groups with ks = k.
    const hKs = group.subgroup.kind === 'rotation' ? 1 : k;
    return {
      kernelH: { inputDim: group.subgroup.dof, outputDim: cout * cin, finalFanIn: cin * hKs * hKs },
      kernelRn: { inputDim: 2, outputDim: cout, finalFanIn: k * k },
    };
  },
  sample: (params, hOut, hIn, { inChannels: ci, outChannels: co }, options) =>
    tf.tidy(() => {
      const { h, rn } = oneSubgroupFactors(params, 'separable', hOut, hIn, options); // rn [Gout, k², Co]
      return {
        implementation: 'separable' as const,
        mixing: mixingMatrix(h, co, ci),
        spatial: depthwiseFilter(rn, options.kernelSize),
        ...circulantRotations(options),
      };
    }),
  apply: (x, kernels, options) =>
    separableGroupConv2d(x, kernels.mixing, kernels.spatial, options.groupOut, {
      ...convOptions(options),
      circulantRotations: fourierRotations(x, kernels),
      epilogue: options.epilogue,
    }),
  // the depthwise conv keeps the mixed map; its gradient and the mixing's transposed input
  trainingMemory: (d) => {
    const m = convMaps(d);
    return {
      activations: { saved: m.mid, forward: m.mid + m.output, backward: m.mid + m.input },
      kernelNets: [
        { points: d.gOut * d.gIn, outputDim: d.cOut * d.cIn },
        { points: d.gOut * d.kernelSize * d.kernelSize, outputDim: d.cOut },
      ],
      assembledKernel: 0,
    };
  },
};
