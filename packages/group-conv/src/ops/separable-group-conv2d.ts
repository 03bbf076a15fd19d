import * as tf from '@tensorflow/tfjs-core';
import { assertGroupFeatures, convPadding, unflattenGroup } from '../layout';
import { type ConvOptions, checkStride } from './conv-options';
import { mixMatMul } from './mat-mul';

/**
 * `separable` group convolution: first a 1×1 mixing over (input group, input channels), then a
 * depthwise spatial conv with one k×k filter per (output element, output channel).
 *
 * @param x `[batch, h, w, Gin, Cin]`
 * @param mixing `[Gin·Cin, Gout·Cout]` (k^H evaluated at log(h_out⁻¹h_in))
 * @param spatial `[k, k, Gout·Cout, 1]` (k^{R²}_o(h_out⁻¹x)/|det|)
 * @returns `[batch, h′, w′, Gout, Cout]`
 */
export function separableGroupConv2d(
  x: tf.Tensor5D,
  mixing: tf.Tensor2D,
  spatial: tf.Tensor4D,
  groupOut: number,
  options: ConvOptions = {},
): tf.Tensor5D {
  assertGroupFeatures('separableGroupConv2d', x);
  const [b, h, w, g, c] = x.shape;
  if (mixing.shape[0] !== g * c || mixing.shape[1] !== spatial.shape[2]) {
    throw new Error(
      `Error in separableGroupConv2d: mixing must be [Gin·Cin = ${g * c}, ${spatial.shape[2]}], got [${mixing.shape}]`,
    );
  }
  const stride = checkStride('separableGroupConv2d', options.stride);
  return tf.tidy(() => {
    const mixed = tf.reshape(mixMatMul(tf.reshape(x, [b * h * w, g * c]) as tf.Tensor2D, mixing), [
      b,
      h,
      w,
      mixing.shape[1],
    ]) as tf.Tensor4D;
    const y = tf.depthwiseConv2d(
      mixed,
      spatial,
      stride,
      convPadding('separableGroupConv2d', options.padding ?? 'same'),
    );
    return unflattenGroup(y, groupOut);
  });
}
