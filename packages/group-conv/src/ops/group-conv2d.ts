import * as tf from '@tensorflow/tfjs-core';
import { assertGroupFeatures, convPadding, flattenGroup, unflattenGroup } from '../layout';
import { type ConvOptions, checkStride } from './conv-options';

/**
 * Dense group convolution (the `nonseparable` and `gseparable` factorisations): one conv over
 * (input group, input channels, space). `x` `[batch, h, w, Gin, Cin]`, `filter`
 * `[k, k, Gin·Cin, Gout·Cout]` (input index g·C_in + c, output index g·C_out + o) →
 * `[batch, h′, w′, Gout, Cout]`.
 */
export function groupConv2d(
  x: tf.Tensor5D,
  filter: tf.Tensor4D,
  groupOut: number,
  options: ConvOptions = {},
): tf.Tensor5D {
  assertGroupFeatures('groupConv2d', x);
  if (x.shape[3] * x.shape[4] !== filter.shape[2]) {
    throw new Error(
      `Error in groupConv2d: filter input axis ${filter.shape[2]} must equal Gin·Cin = ${x.shape[3]}·${x.shape[4]}; x shape [${x.shape}]`,
    );
  }
  const stride = checkStride('groupConv2d', options.stride);
  return tf.tidy(() =>
    unflattenGroup(
      tf.conv2d(
        flattenGroup(x),
        filter,
        stride,
        convPadding('groupConv2d', options.padding ?? 'same'),
      ),
      groupOut,
    ),
  );
}
