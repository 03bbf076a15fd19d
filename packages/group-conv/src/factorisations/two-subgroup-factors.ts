import { sampleKernelNet, scaleDistanceMask } from '@gcnn/kernel-nets';
import { Rplus, SO2 } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelOptions } from '../kernels/kernel-options';
import { spatialKernel } from '../kernels/spatial-kernel';
import { type GroupConvParams, requireParam } from './factorisation';

/** The three factors of a "+2d" Sim(2) kernel, R rotations × S scales. */
export interface TwoSubgroupFactors {
  /** k^{SO2}(Δθ) `[R_out, R_in, Co, Ci]`. */
  rotation: tf.Tensor4D;
  /** k^{R⁺}(Δln s) times the scale-distance mask, `[S_out, S_in, P]` (P = Co or Co·Ci). */
  scale: tf.Tensor3D;
  /** k^{R²}(h⁻¹x)/s², `[R·S, k², P]`. */
  spatial: tf.Tensor3D;
}

/**
 * Samples the rotation, scale and spatial factors of the "+2d" factorisations on Sim(2)'s
 * rotation-major grid (element `r·S + s`): rotations are column 0 of rows r·S, scales column 1 of
 * rows 0…S−1. Both element sets must be the whole grid.
 */
export function twoSubgroupFactors(
  params: GroupConvParams,
  implementation: string,
  hOut: tf.Tensor2D,
  hIn: tf.Tensor2D,
  co: number,
  ci: number,
  options: KernelOptions,
): TwoSubgroupFactors {
  const { nRotations: r, nScales: s, size } = options.grid;
  const [gOut, gIn] = [hOut.shape[0], hIn.shape[0]];
  if (gOut !== size || gIn !== size) {
    throw new Error(
      `Error in sampleGroupConvKernels: '${implementation}' needs ${r}·${s} elements on both sides (sampleCount [${r}, ${s}]), got ${gIn} → ${gOut}`,
    );
  }
  const maxScale = options.group.subgroup.maxScale;
  const rot = (e: tf.Tensor2D) =>
    tf.reshape(tf.slice(tf.reshape(e, [r, s, 2]), [0, 0, 0], [r, 1, 1]), [r, 1]) as tf.Tensor2D;
  const scl = (e: tf.Tensor2D) =>
    tf.reshape(tf.slice(tf.reshape(e, [r, s, 2]), [0, 0, 1], [1, s, 1]), [s, 1]) as tf.Tensor2D;
  const so2Net = requireParam(params, implementation, 'kernelSO2');
  const so2 = sampleKernelNet(
    SO2.relativeCoordinates(rot(hOut), rot(hIn)),
    so2Net.weights,
    so2Net.config,
  ); // [R, R, Co·Ci]
  const lambda = Rplus({ maxScale }).relativeCoordinates(scl(hOut), scl(hIn)); // [S, S, 1]
  const rplusNet = requireParam(params, implementation, 'kernelRplus');
  const scale = tf.mul(
    sampleKernelNet(lambda, rplusNet.weights, rplusNet.config),
    tf.expandDims(scaleDistanceMask(tf.squeeze(lambda, [2]), Math.log(maxScale) / s, 10), -1),
  ) as tf.Tensor3D; // [S_out, S_in, P]
  const rnNet = requireParam(params, implementation, 'kernelRn');
  const spatial = spatialKernel(hOut, rnNet, options, 'separable2d');
  return { rotation: tf.reshape(so2, [r, r, co, ci]), scale, spatial };
}
