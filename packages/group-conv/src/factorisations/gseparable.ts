import * as tf from '@tensorflow/tfjs-core';
import { convMaps } from '../memory/layer-memory';
import { groupConv2d } from '../ops/group-conv2d';
import { convOptions, EVERY_SUBGROUP, type GroupConvFactorisation } from './factorisation';
import { mixingMatrix } from './kernel-layouts';
import { oneSubgroupFactors } from './one-subgroup-factors';

/** `gseparable` kernels: the dense product filter `[k, k, Gin·Cin, Gout·Cout]`. */
export type GSeparableKernels = {
  implementation: 'gseparable';
  filter: tf.Tensor4D;
};

/**
 * `gseparable`: k^H_{o,c}(h)·k^{R²}_{o,c}(x), both factors per (o, c); applied densely with the
 * product kernel, as the reference does.
 */
export const gseparable: GroupConvFactorisation<'gseparable', GSeparableKernels> = {
  name: 'gseparable',
  kernel: 'k^H_{o,c}(h)·k^{R²}_{o,c}(x)',
  subgroups: EVERY_SUBGROUP,
  projection: false,
  netSpecs: (group, cin, cout, k) => {
    // The reference initialises the H-net of Sim(2) with ks = k.
    const hKs = group.subgroup.kind === 'rotation-scale' ? k : 1;
    return {
      kernelH: { inputDim: group.subgroup.dof, outputDim: cout * cin, finalFanIn: cin * hKs * hKs },
      kernelRn: { inputDim: 2, outputDim: cout * cin, finalFanIn: cin * k * k },
    };
  },
  sample: (params, hOut, hIn, { inChannels: ci, outChannels: co }, options) =>
    tf.tidy(() => {
      const k = options.kernelSize;
      const [gOut, gIn] = [hOut.shape[0], hIn.shape[0]];
      // h [Gout, Gin, Co·Ci], rn [Gout, k², Co·Ci]
      const { h, rn } = oneSubgroupFactors(params, 'gseparable', hOut, hIn, options);
      const hk = tf.reshape(mixingMatrix(h, co, ci), [1, 1, gIn, ci, gOut, co]);
      const rk = tf.reshape(tf.transpose(tf.reshape(rn, [gOut, k, k, co, ci]), [1, 2, 4, 0, 3]), [
        k,
        k,
        1,
        ci,
        gOut,
        co,
      ]);
      return {
        implementation: 'gseparable' as const,
        filter: tf.reshape(tf.mul(hk, rk), [k, k, gIn * ci, gOut * co]) as tf.Tensor4D,
      };
    }),
  apply: (x, kernels, options) =>
    groupConv2d(x, kernels.filter, options.groupOut, convOptions(options)),
  // the product filter is assembled (and kept by the conv); then as nonseparable
  trainingMemory: (d) => {
    const m = convMaps(d);
    const k2 = d.kernelSize * d.kernelSize;
    return {
      activations: { saved: 0, forward: m.output, backward: m.input },
      kernelNets: [
        { points: d.gOut * d.gIn, outputDim: d.cOut * d.cIn },
        { points: d.gOut * k2, outputDim: d.cOut * d.cIn },
      ],
      assembledKernel: k2 * d.gIn * d.cIn * d.gOut * d.cOut,
    };
  },
};
