import * as tf from '@tensorflow/tfjs-core';
import { assertGroupFeatures, convPadding } from '../layout';
import { type ConvOptions, checkStride } from './conv-options';

/**
 * Channel projection w_{o,c}: `[batch, h, w, G, Cin]` × `[Cin, Cout]` → `[batch, h, w, G, Cout]`,
 * pointwise over (G, h, w). The first step of `dseparable` and `dgseparable`.
 */
export function projectChannels(x: tf.Tensor5D, projection: tf.Tensor2D): tf.Tensor5D {
  assertGroupFeatures('projectChannels', x, undefined, projection.shape[0]);
  const [b, h, w, g, c] = x.shape;
  return tf.tidy(() =>
    tf.reshape(tf.matMul(tf.reshape(x, [b * h * w * g, c]) as tf.Tensor2D, projection), [
      b,
      h,
      w,
      g,
      projection.shape[1],
    ]),
  );
}

/**
 * `dseparable` group convolution: channel projection, then for every output channel o a group
 * conv of its own projected channel over (Gin, k, k), computed as a depthwise conv with channel
 * multiplier Gout followed by a sum over Gin.
 *
 * @param x `[batch, h, w, Gin, Cin]`
 * @param projection `[Cin, Cout]`
 * @param filter `[k, k, Gin·Cout, Gout]`: filter[a, b, h·Cout + o, j] = k_o([h_j⁻¹x_{ab}, log(h_j⁻¹h)])
 * @returns `[batch, h′, w′, Gout, Cout]`
 */
export function dSeparableGroupConv2d(
  x: tf.Tensor5D,
  projection: tf.Tensor2D,
  filter: tf.Tensor4D,
  options: ConvOptions = {},
): tf.Tensor5D {
  assertGroupFeatures('dSeparableGroupConv2d', x);
  const gIn = x.shape[3];
  const cOut = projection.shape[1];
  if (filter.shape[2] !== gIn * cOut) {
    throw new Error(
      `Error in dSeparableGroupConv2d: filter must be [k, k, Gin·Cout = ${gIn * cOut}, Gout], got [${filter.shape}]`,
    );
  }
  const gOut = filter.shape[3];
  const stride = checkStride('dSeparableGroupConv2d', options.stride);
  return tf.tidy(() => {
    const projected = projectChannels(x, projection);
    const [b, h, w] = projected.shape;
    const y = tf.depthwiseConv2d(
      tf.reshape(projected, [b, h, w, gIn * cOut]) as tf.Tensor4D,
      filter,
      stride,
      convPadding('dSeparableGroupConv2d', options.padding ?? 'same'),
    ); // channels (h, o, j)
    const [, h2, w2] = y.shape;
    const summed = tf.sum(tf.reshape(y, [b, h2, w2, gIn, cOut, gOut]), 3); // [b, h′, w′, Cout, Gout]
    return tf.transpose(summed, [0, 1, 2, 4, 3]) as tf.Tensor5D;
  });
}

/**
 * `dgseparable` group convolution: channel projection, a per-channel 1×1 mixing over the group,
 * then a depthwise spatial conv.
 *
 * @param x `[batch, h, w, Gin, Cin]`
 * @param projection `[Cin, Cout]`
 * @param mixing `[Cout, Gin, Gout]` (k^H_o(log(h_out⁻¹h_in)))
 * @param spatial `[k, k, Gout·Cout, 1]`
 * @returns `[batch, h′, w′, Gout, Cout]`
 */
export function dgSeparableGroupConv2d(
  x: tf.Tensor5D,
  projection: tf.Tensor2D,
  mixing: tf.Tensor3D,
  spatial: tf.Tensor4D,
  options: ConvOptions = {},
): tf.Tensor5D {
  assertGroupFeatures('dgSeparableGroupConv2d', x);
  const [cOut, gIn, gOut] = mixing.shape;
  if (x.shape[3] !== gIn || projection.shape[1] !== cOut || spatial.shape[2] !== gOut * cOut) {
    throw new Error(
      `Error in dgSeparableGroupConv2d: shapes do not agree: x [${x.shape}], projection [${projection.shape}], mixing [${mixing.shape}], spatial [${spatial.shape}]`,
    );
  }
  const stride = checkStride('dgSeparableGroupConv2d', options.stride);
  return tf.tidy(() => {
    const projected = projectChannels(x, projection);
    const [b, h, w] = projected.shape;
    const n = b * h * w;
    const perChannel = tf.transpose(tf.reshape(projected, [n, gIn, cOut]), [2, 0, 1]); // [Cout, n, Gin]
    const mixed = tf.transpose(tf.matMul(perChannel as tf.Tensor3D, mixing), [1, 2, 0]); // [n, Gout, Cout]
    const y = tf.depthwiseConv2d(
      tf.reshape(mixed, [b, h, w, gOut * cOut]) as tf.Tensor4D,
      spatial,
      stride,
      convPadding('dgSeparableGroupConv2d', options.padding ?? 'same'),
    );
    const [, h2, w2] = y.shape;
    return tf.reshape(y, [b, h2, w2, gOut, cOut]);
  });
}
