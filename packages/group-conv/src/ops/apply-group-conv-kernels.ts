import type * as tf from '@tensorflow/tfjs-core';
import type { GroupConvKernels } from '../kernels/sample-group-conv-kernels';
import type { ConvOptions } from './conv-options';
import { dgSeparableGroupConv2d, dSeparableGroupConv2d } from './d-separable-group-conv2d';
import { groupConv2d } from './group-conv2d';
import { separableGroupConv2d } from './separable-group-conv2d';
import { gSeparable2dGroupConv2d, separable2dGroupConv2d } from './separable2d-group-conv2d';

export interface ApplyGroupConvOptions extends ConvOptions {
  /** Number of output elements Gout. */
  groupOut: number;
  /** Rotations and scales of the Sim(2) grid, for the "+2d" implementations. */
  nRotations?: number;
  nScales?: number;
}

/** Runs the op that matches sampled kernels: `[batch, h, w, Gin, Cin]` → `[batch, h′, w′, Gout, Cout]`. */
export function applyGroupConvKernels(
  x: tf.Tensor5D,
  kernels: GroupConvKernels,
  options: ApplyGroupConvOptions,
): tf.Tensor5D {
  const conv = { stride: options.stride, padding: options.padding };
  switch (kernels.implementation) {
    case 'nonseparable':
    case 'gseparable':
      return groupConv2d(x, kernels.filter, options.groupOut, conv);
    case 'separable':
      return separableGroupConv2d(x, kernels.mixing, kernels.spatial, options.groupOut, conv);
    case 'dseparable':
      return dSeparableGroupConv2d(x, kernels.projection, kernels.filter, conv);
    case 'dgseparable':
      return dgSeparableGroupConv2d(x, kernels.projection, kernels.mixing, kernels.spatial, conv);
    case 'separable+2d':
    case 'gseparable+2d': {
      const grid = { ...conv, nRotations: options.nRotations ?? 0, nScales: options.nScales ?? 0 };
      if (!(grid.nRotations > 0 && grid.nScales > 0)) {
        throw new Error(
          `Error in applyGroupConvKernels: '${kernels.implementation}' needs nRotations and nScales`,
        );
      }
      return kernels.implementation === 'separable+2d'
        ? separable2dGroupConv2d(
            x,
            kernels.rotationMixing,
            kernels.scaleMixing,
            kernels.spatial,
            grid,
          )
        : gSeparable2dGroupConv2d(
            x,
            kernels.rotationMixing,
            kernels.scaleMixing,
            kernels.spatial,
            grid,
          );
    }
  }
}
