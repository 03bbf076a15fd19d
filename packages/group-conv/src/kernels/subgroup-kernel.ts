import { scaleDistanceMask, siren } from '@gcnn/kernel-nets';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelNet } from './kernel-net';
import { cachedNetInputs } from './kernel-net-inputs';
import { isReference, type KernelOptions } from './kernel-options';

/**
 * The subgroup kernel k^H(log(h_out⁻¹h_in)) of the one-subgroup separable convs:
 * `[Gout, Gin, P]` from the relative coordinates of every (output, input) pair. Scale groups are
 * multiplied by the scale-distance mask σ(10·(ln(maxScale)/nScales − |Δln s|)).
 *
 * In reference mode the Sim(2) mask uses width ln(maxScale)/G and the mis-indexed offsets of the
 * reference (quirk Q2), and the element roles are swapped (Q4).
 */
export function subgroupKernel(
  hOut: tf.Tensor2D,
  hIn: tf.Tensor2D,
  net: KernelNet,
  options: KernelOptions,
): tf.Tensor3D {
  return tf.tidy(() => {
    const [rel, mask] = subgroupKernelInputs(hOut, hIn, net, options);
    // the mask inside the net's gradient node: a product afterwards would keep the net's output
    // alive for its gradient
    const scaled = siren(
      rel as tf.Tensor2D,
      net.weights,
      net.config,
      mask ? { outputScale: mask } : {},
    );
    return tf.reshape(scaled, [hOut.shape[0], hIn.shape[0], net.config.outputDim]) as tf.Tensor3D;
  });
}

/**
 * What {@link subgroupKernel} evaluates its net with, cached on the net for the same elements:
 * the relative coordinates `[Gout·Gin, dof]` and, for the scale groups, the scale-distance mask
 * `[Gout·Gin, 1]`.
 */
function subgroupKernelInputs(
  hOut: tf.Tensor2D,
  hIn: tf.Tensor2D,
  net: KernelNet,
  options: KernelOptions,
): tf.Tensor[] {
  const sub = options.group.subgroup;
  const reference = isReference(options);
  const key = `subgroup ${options.group.name} ${sub.kind === 'rotation' ? 0 : sub.maxScale} ${options.grid.nScales} ${options.compatibility}`;
  return cachedNetInputs(net.inputs, key, [hOut, hIn], () => {
    const [eOut, eIn] = reference ? [hIn, hOut] : [hOut, hIn];
    const rel = sub.relativeCoordinates(eOut, eIn); // [Gout, Gin, dof]
    const [gOut, gIn, dof] = rel.shape as [number, number, number];
    const flat = tf.reshape(rel, [gOut * gIn, dof]);
    if (sub.kind === 'rotation') return [flat];
    const maxDistance = Math.log(sub.maxScale) / (reference ? gOut : options.grid.nScales);
    let logScale: tf.Tensor;
    if (sub.kind === 'scale') logScale = tf.squeeze(rel, [2]);
    else if (reference) {
      // Q2: the reference views the [Gin, 2] offsets as [2, Gin] and takes the second row.
      logScale = tf.slice(tf.reshape(rel, [gOut, 2 * gIn]), [0, gIn], [gOut, gIn]);
    } else logScale = tf.reshape(tf.slice(rel, [0, 0, 1], [gOut, gIn, 1]), [gOut, gIn]);
    return [flat, tf.reshape(scaleDistanceMask(logScale, maxDistance, 10), [gOut * gIn, 1])];
  });
}
