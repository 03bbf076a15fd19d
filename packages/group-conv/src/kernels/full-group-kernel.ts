import {
  diskMask,
  kernelGrid,
  sampleKernelNet,
  scaleDistanceMask,
  smoothDiskMask,
  smoothSquareMask,
} from '@gcnn/kernel-nets';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelNet } from './kernel-net';
import { cachedNetInputs } from './kernel-net-inputs';
import { isReference, type KernelOptions, latticeRadius } from './kernel-options';

/**
 * The non-separable group kernel k([h_out⁻¹x, log(h_out⁻¹h_in)]) for every (output, input)
 * pair: `[Gout, Gin, k·k, P]`.
 *
 * Masks: SE(2) the hard unit disk; R²⋊R⁺ a smooth square (slope 3) times the scale-distance mask
 * (slope 10); Sim(2) a smooth disk over all four coordinates (slope 3) times the scale-distance
 * mask (slope 5). Divided by |det h_out| = s² (s for Sim(2) in reference mode).
 *
 * Reference mode also reads tap (a, b) as (ℓ[a], ℓ[b]) for the scale groups (quirk Q1), puts 1×1
 * taps off-origin (Q3), uses mask width ln(maxScale)/G (Q6) and swaps the element roles (Q4).
 */
export function fullGroupKernel(
  hOut: tf.Tensor2D,
  hIn: tf.Tensor2D,
  net: KernelNet,
  options: KernelOptions,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [z, scale] = fullGroupKernelInputs(hOut, hIn, net, options);
    // applied inside the net's gradient node: a product afterwards would keep the net's whole
    // output alive for its gradient until the backward pass reaches it
    return sampleKernelNet(z!, net.weights, net.config, { outputScale: scale }) as tf.Tensor4D;
  });
}

/**
 * What {@link fullGroupKernel} evaluates its net with, cached on the net for the same elements:
 * the coordinates `[Gout, Gin, k², 2 + dof]` and the factor of each of their outputs
 * `[Gout·Gin·k², 1]`, the mask divided by the determinant factor.
 */
function fullGroupKernelInputs(
  hOut: tf.Tensor2D,
  hIn: tf.Tensor2D,
  net: KernelNet,
  options: KernelOptions,
): tf.Tensor[] {
  const { group, kernelSize } = options;
  const sub = group.subgroup;
  const reference = isReference(options);
  const key = `full ${group.name} ${latticeRadius(group)} ${kernelSize} ${sub.kind === 'rotation' ? 0 : sub.maxScale} ${options.grid.nScales} ${options.compatibility}`;
  return cachedNetInputs(net.inputs, key, [hOut, hIn], () => {
    const [eOut, eIn] = reference ? [hIn, hOut] : [hOut, hIn];
    const [gOut, gIn] = [eOut.shape[0], eIn.shape[0]];
    let lattice: tf.Tensor2D = kernelGrid(kernelSize, latticeRadius(group), {
      singleTap: reference && sub.kind !== 'rotation' ? 'corner' : 'origin',
    });
    if (reference && sub.kind !== 'rotation') lattice = tf.reverse(lattice, 1); // Q1: (ℓ[a], ℓ[b])
    const taps = lattice.shape[0];
    const spatial = sub.inverseAct(tf.expandDims(eOut, 1), tf.expandDims(lattice, 0)); // [Gout, k², 2]
    const rel = sub.relativeCoordinates(eOut, eIn); // [Gout, Gin, dof]
    const dof = rel.shape[2]!;
    const z = tf.concat(
      [
        tf.broadcastTo(tf.expandDims(spatial, 1), [gOut, gIn, taps, 2]),
        tf.broadcastTo(tf.expandDims(rel, 2), [gOut, gIn, taps, dof]),
      ],
      -1,
    ); // [Gout, Gin, k², 2 + dof]
    let scale: tf.Tensor; // [Gout, Gin, k²]: the mask, divided by the determinant factor
    if (sub.kind === 'rotation') {
      scale = tf.broadcastTo(tf.reshape(diskMask(lattice), [1, 1, taps]), [gOut, gIn, taps]);
    } else {
      const logScale = tf.slice(z, [0, 0, 0, 2 + dof - 1], [gOut, gIn, taps, 1]);
      const maxDistance = Math.log(sub.maxScale) / (reference ? gOut : options.grid.nScales);
      const spatialMask =
        sub.kind === 'scale'
          ? smoothSquareMask(tf.slice(z, [0, 0, 0, 0], [gOut, gIn, taps, 2]), 3)
          : smoothDiskMask(z, 3);
      const mask = tf.mul(
        spatialMask,
        scaleDistanceMask(tf.squeeze(logScale, [3]), maxDistance, sub.kind === 'scale' ? 10 : 5),
      );
      const det =
        reference && sub.kind === 'rotation-scale' ? tf.sqrt(sub.det(eOut)) : sub.det(eOut);
      scale = tf.div(mask, tf.reshape(det, [-1, 1, 1]));
    }
    return [z, tf.reshape(scale, [gOut * gIn * taps, 1])];
  });
}
