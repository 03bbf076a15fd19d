import * as tf from '@tensorflow/tfjs-core';
import { assertGroupFeatures, convPadding, unflattenGroup } from '../layout';
import { type ChannelEpilogue, depthwiseWithEpilogue } from './channel-epilogue';
import { circulantBlocks, circulantMatMul, useCirculantMixing } from './circulant-mixing';
import { type ConvOptions, checkStride } from './conv-options';

export interface SeparableOptions extends ConvOptions {
  /**
   * R where the mixing is block-circulant over R rotations, the outermost factor of the group
   * index (g = r·S + s on both sides), as the layers sample it (k^H(h_out⁻¹h_in) on a uniform
   * rotation grid): the mixing may then run in Fourier form (`useCirculantMixing`: R/2 times fewer
   * FLOPs), applying its projection onto block-circulant matrices — the mixing itself, up to
   * round-off. Absent: the dense product.
   */
  circulantRotations?: number;
  /**
   * `relu?(y·scale + shift)` per output channel (`[Cout]`), folded into the depthwise conv: one
   * fused op instead of the conv, an inference batch norm and a ReLU.
   */
  epilogue?: ChannelEpilogue;
}

/**
 * `separable` group convolution: first a 1×1 mixing over (input group, input channels), then a
 * depthwise spatial conv with one k×k filter per (output element, output channel).
 *
 * @param x `[batch, h, w, Gin, Cin]`
 * @param mixing `[Gin·Cin, Gout·Cout]` (k^H evaluated at log(h_out⁻¹h_in)); in Fourier form where
 *   `options.circulantRotations` says it is block-circulant
 * @param spatial `[k, k, Gout·Cout, 1]` (k^{R²}_o(h_out⁻¹x)/|det|)
 * @returns `[batch, h′, w′, Gout, Cout]`
 */
export function separableGroupConv2d(
  x: tf.Tensor5D,
  mixing: tf.Tensor2D,
  spatial: tf.Tensor4D,
  groupOut: number,
  options: SeparableOptions = {},
): tf.Tensor5D {
  assertGroupFeatures('separableGroupConv2d', x);
  const [b, h, w, g, c] = x.shape;
  if (mixing.shape[0] !== g * c || mixing.shape[1] !== spatial.shape[2]) {
    throw new Error(
      `Error in separableGroupConv2d: mixing must be [Gin·Cin = ${g * c}, ${spatial.shape[2]}], got [${mixing.shape}]`,
    );
  }
  const stride = checkStride('separableGroupConv2d', options.stride);
  const r = options.circulantRotations;
  const fourier = r !== undefined && g % r === 0 && groupOut % r === 0 && useCirculantMixing(r);
  return tf.tidy(() => {
    const rows = tf.reshape(x, [b * h * w, g * c]) as tf.Tensor2D;
    const product = fourier
      ? circulantMatMul(rows, circulantBlocks(mixing, r), r)
      : tf.matMul(rows, mixing);
    const mixed = tf.reshape(product, [b, h, w, mixing.shape[1]]) as tf.Tensor4D;
    const pad = convPadding('separableGroupConv2d', options.padding ?? 'same');
    const y = options.epilogue
      ? depthwiseWithEpilogue(mixed, spatial, stride, pad, options.epilogue, groupOut)
      : tf.depthwiseConv2d(mixed, spatial, stride, pad);
    return unflattenGroup(y, groupOut);
  });
}
