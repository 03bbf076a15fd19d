import * as tf from '@tensorflow/tfjs-core';

/**
 * Whether `backend` registers every kernel named in `kernels` (a map such as
 * `ROW_NORMALIZE_KERNELS`): the fused paths a backend add-on may provide run only where all of
 * their kernels are there, the composites of tfjs ops otherwise.
 */
export function registersKernels(
  kernels: Readonly<Record<string, string>>,
  backend: string,
): boolean {
  return Object.values(kernels).every((name) => tf.getKernel(name, backend) !== undefined);
}
