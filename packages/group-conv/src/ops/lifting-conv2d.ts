import * as tf from '@tensorflow/tfjs-core';
import { assertImages, convPadding, unflattenGroup } from '../layout';
import { type ConvOptions, checkStride } from './conv-options';

/**
 * Lifting convolution: images `[batch, height, width, inChannels]` → group feature map
 * `[batch, height′, width′, group, outChannels]`, with the filter of every group element stacked
 * along the output channels: `filter` `[k, k, inChannels, group·outChannels]` (index g·C_out + o),
 * as made by {@link sampleLiftingFilter}. y_{g,o}(x) = Σ_{c,x′} K_{o,c}(h_g⁻¹(x′ − x))/|det h_g|·f_c(x′).
 */
export function liftingConv2d(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  group: number,
  options: ConvOptions = {},
): tf.Tensor5D {
  assertImages('liftingConv2d', x, filter.shape[2]);
  if (filter.shape[3] % group !== 0) {
    throw new Error(
      `Error in liftingConv2d: filter output axis ${filter.shape[3]} is not divisible by group = ${group}`,
    );
  }
  const stride = checkStride('liftingConv2d', options.stride);
  return tf.tidy(() =>
    unflattenGroup(
      tf.conv2d(x, filter, stride, convPadding('liftingConv2d', options.padding ?? 'same')),
      group,
    ),
  );
}
