import type * as tf from '@tensorflow/tfjs-core';
import { isReference, type KernelOptions } from '../kernels/kernel-options';
import { spatialKernel } from '../kernels/spatial-kernel';
import { subgroupKernel } from '../kernels/subgroup-kernel';
import { type GroupConvParams, requireParam } from './factorisation';

/**
 * The two factors of the one-subgroup separable kernels (`separable`, `gseparable`,
 * `dgseparable`): the subgroup kernel k^H `[Gout, Gin, P_H]` and the spatial kernel k^{R²}
 * `[Gout, k², P_R²]`, P the kernel nets' output sizes.
 */
export function oneSubgroupFactors(
  params: GroupConvParams,
  implementation: string,
  hOut: tf.Tensor2D,
  hIn: tf.Tensor2D,
  options: KernelOptions,
): { h: tf.Tensor3D; rn: tf.Tensor3D } {
  // Q4: the reference rotates one-subgroup spatial kernels by the input elements.
  const spatialElements = isReference(options) ? hIn : hOut;
  const h = subgroupKernel(hOut, hIn, requireParam(params, implementation, 'kernelH'), options);
  const rn = spatialKernel(
    spatialElements,
    requireParam(params, implementation, 'kernelRn'),
    options,
    'separable',
  );
  return { h, rn };
}
