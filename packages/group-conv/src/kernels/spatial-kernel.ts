import { diskMask, kernelGrid, siren, smoothDiskMask, smoothSquareMask } from '@gcnn/kernel-nets';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelNet } from './kernel-net';
import { cachedNetInputs } from './kernel-net-inputs';
import { isReference, type KernelOptions, latticeRadius } from './kernel-options';

/**
 * Which spatial kernel: of a lifting conv, of a one-subgroup separable conv (`separable`,
 * `gseparable`, `dgseparable`), or of a "+2d" conv. They differ in mask slope and, in reference
 * mode, in the determinant factor (reference §3.5).
 */
export type SpatialKernelRole = 'lifting' | 'separable' | 'separable2d';

/**
 * The spatial kernel k^{R²}(h⁻¹x)/|det h| for every element h: `[G, k·k, P]`, where tap
 * `a·k + b` is the lattice point (ℓ[b], ℓ[a]) and P the kernel net's output size.
 *
 * Masks: SE(2) the hard unit disk; R²⋊R⁺ a smooth square (slope 2 lifting, 3 otherwise); Sim(2)
 * a smooth disk (slope 3 lifting, 2 otherwise), all on the transformed taps h⁻¹x. The factor is
 * 1/s² (1/s for Sim(2) lifting and `separable` kernels in reference mode).
 */
export function spatialKernel(
  elements: tf.Tensor2D,
  net: KernelNet,
  options: KernelOptions,
  role: SpatialKernelRole,
): tf.Tensor3D {
  // k·k, not k ** 2: V8's `**` returns a heap number, and a shape holding one makes tfjs-cpu's
  // loops index in doubles (1.4× slower inference; packages/models/src/integer-shapes.test.ts).
  const [g, taps] = [elements.shape[0], options.kernelSize * options.kernelSize];
  return tf.tidy(() => {
    const [coords, scale] = spatialKernelInputs(elements, net, options, role);
    return tf.reshape(
      siren(coords as tf.Tensor2D, net.weights, net.config, { outputScale: scale }),
      [g, taps, net.config.outputDim],
    ) as tf.Tensor3D; // [G, k², P], masked and divided
  });
}

/**
 * What {@link spatialKernel} evaluates its net with, cached on the net for the same elements:
 * the transformed taps h⁻¹x `[G·k², 2]` and the factor of each tap's outputs `[G·k², 1]`, its mask
 * divided by the determinant factor (SE(2): the mask). One factor applied inside the net's
 * gradient node: a mask or a division applied to the net's output afterwards would keep that
 * `[G, k², P]` output alive for its gradient until the backward pass reaches it.
 */
function spatialKernelInputs(
  elements: tf.Tensor2D,
  net: KernelNet,
  options: KernelOptions,
  role: SpatialKernelRole,
): tf.Tensor[] {
  const { group, kernelSize } = options;
  const sub = group.subgroup;
  const key = `spatial ${role} ${group.name} ${latticeRadius(group)} ${kernelSize} ${options.compatibility}`;
  return cachedNetInputs(net.inputs, key, [elements], () => {
    const lattice = kernelGrid(kernelSize, latticeRadius(group), {
      singleTap: isReference(options) && sub.kind !== 'rotation' ? 'corner' : 'origin',
    });
    const coords = sub.inverseAct(tf.expandDims(elements, 1), tf.expandDims(lattice, 0)); // [G, k², 2]
    let mask: tf.Tensor;
    if (sub.kind === 'rotation') mask = tf.expandDims(diskMask(lattice), 0);
    else if (sub.kind === 'scale') mask = smoothSquareMask(coords, role === 'lifting' ? 2 : 3);
    else mask = smoothDiskMask(coords, role === 'lifting' ? 3 : 2);
    const flat = tf.reshape(coords, [-1, 2]);
    const g = elements.shape[0];
    const taps = kernelSize * kernelSize;
    const perTap = tf.broadcastTo(mask, [g, taps]);
    if (sub.kind === 'rotation') return [flat, tf.reshape(perTap, [g * taps, 1])];
    const referenceSimDet =
      isReference(options) && sub.kind === 'rotation-scale' && role !== 'separable2d';
    const det = referenceSimDet ? tf.sqrt(sub.det(elements)) : sub.det(elements);
    return [flat, tf.reshape(tf.div(perTap, tf.reshape(det, [-1, 1])), [g * taps, 1])];
  });
}
