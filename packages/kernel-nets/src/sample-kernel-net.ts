import * as tf from '@tensorflow/tfjs-core';
import { type SirenConfig, type SirenOptions, type SirenWeights, siren } from './siren';

/**
 * Evaluates a kernel net on coordinates of any leading shape: `[..., inputDim] → [..., outputDim]`,
 * the last axis of the result read as `[outChannels, inChannels]` (index o·in + i). This is how a
 * continuous kernel becomes a sampled kernel tensor: coordinates `[G, k·k, 2]` of the h⁻¹-transformed
 * taps give `[G, k·k, out·in]`.
 *
 * `options.outputScale` multiplies the outputs inside the net's gradient node (see
 * {@link SirenOptions}); it broadcasts against the flattened `[n, outputDim]`, e.g. a mask `[n, 1]`
 * with n the number of coordinates.
 */
export function sampleKernelNet(
  coords: tf.Tensor,
  weights: SirenWeights,
  config: SirenConfig,
  options: SirenOptions = {},
): tf.Tensor {
  if (coords.rank < 1 || coords.shape[coords.rank - 1] !== config.inputDim) {
    throw new Error(
      `Error in sampleKernelNet: coords must have a trailing axis of ${config.inputDim}, got shape [${coords.shape}]`,
    );
  }
  return tf.tidy(() => {
    const lead = coords.shape.slice(0, -1);
    const flat = tf.reshape(coords, [-1, config.inputDim]) as tf.Tensor2D;
    return tf.reshape(siren(flat, weights, config, options), [...lead, config.outputDim]);
  });
}
