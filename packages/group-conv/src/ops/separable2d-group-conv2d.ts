import * as tf from '@tensorflow/tfjs-core';
import { assertGroupFeatures, convPadding } from '../layout';
import { type ConvOptions, checkStride } from './conv-options';
import { mixMatMul } from './mat-mul';

export interface TwoSubgroupOptions extends ConvOptions {
  nRotations: number;
  nScales: number;
}

function checkGrid(op: string, x: tf.Tensor5D, options: TwoSubgroupOptions) {
  assertGroupFeatures(op, x, options.nRotations * options.nScales);
}

/**
 * `separable+2d` group convolution on Sim(2) (group axis rotation-major, R rotations × S scales):
 * rotation and channel mixing, per-output-channel scale mixing, then a depthwise spatial conv.
 *
 * @param x `[batch, h, w, R·S, Cin]`
 * @param rotationMixing `[R·Cin, R·Cout]` (index r·C + c on both sides), k^{SO2}_{o,c}(Δθ)
 * @param scaleMixing `[Cout, S_in, S_out]`, k^{R⁺}_o(Δln s)
 * @param spatial `[k, k, R·S·Cout, 1]`, k^{R²}_o(h⁻¹x)/s²
 * @returns `[batch, h′, w′, R·S, Cout]`
 */
export function separable2dGroupConv2d(
  x: tf.Tensor5D,
  rotationMixing: tf.Tensor2D,
  scaleMixing: tf.Tensor3D,
  spatial: tf.Tensor4D,
  options: TwoSubgroupOptions,
): tf.Tensor5D {
  checkGrid('separable2dGroupConv2d', x, options);
  const { nRotations: r, nScales: s } = options;
  const [b, h, w, , cIn] = x.shape;
  const cOut = scaleMixing.shape[0];
  if (
    rotationMixing.shape[0] !== r * cIn ||
    rotationMixing.shape[1] !== r * cOut ||
    scaleMixing.shape[1] !== s
  ) {
    throw new Error(
      `Error in separable2dGroupConv2d: expected rotationMixing [${r * cIn}, ${r * cOut}] and scaleMixing [Cout, ${s}, ${s}], got [${rotationMixing.shape}] and [${scaleMixing.shape}]`,
    );
  }
  const stride = checkStride('separable2dGroupConv2d', options.stride);
  return tf.tidy(() => {
    const n = b * h * w;
    // rotations × channels, for every input scale: [n·S, R·Cin] · [R·Cin, R·Cout]
    const xs = tf.reshape(tf.transpose(tf.reshape(x, [n, r, s, cIn]), [0, 2, 1, 3]), [
      n * s,
      r * cIn,
    ]);
    const z1 = tf.reshape(mixMatMul(xs as tf.Tensor2D, rotationMixing), [n, s, r, cOut]);
    // scales, per output channel: [Cout, n·R, S_in] · [Cout, S_in, S_out]
    const z1c = tf.reshape(tf.transpose(z1, [3, 0, 2, 1]), [cOut, n * r, s]);
    const z2 = tf.reshape(mixMatMul(z1c as tf.Tensor3D, scaleMixing), [cOut, n, r, s]);
    const mixed = tf.reshape(tf.transpose(z2, [1, 2, 3, 0]), [
      b,
      h,
      w,
      r * s * cOut,
    ]) as tf.Tensor4D;
    const y = tf.depthwiseConv2d(
      mixed,
      spatial,
      stride,
      convPadding('separable2dGroupConv2d', options.padding ?? 'same'),
    );
    const [, h2, w2] = y.shape;
    return tf.reshape(y, [b, h2, w2, r * s, cOut]);
  });
}

/**
 * `gseparable+2d` group convolution on Sim(2): rotation mixing and scale mixing that keep the
 * input channel, then a depthwise spatial conv per (element, output channel, input channel),
 * summed over input channels.
 *
 * @param x `[batch, h, w, R·S, Cin]`
 * @param rotationMixing `[Cin, R_in, R_out·Cout]` (k^{SO2}_{o,c}(Δθ), output index r·Cout + o)
 * @param scaleMixing `[Cout, Cin, S_in, S_out]` (k^{R⁺}_{o,c}(Δln s))
 * @param spatial `[k, k, R·S·Cout·Cin, 1]` (k^{R²}_{o,c}(h⁻¹x)/s², channel index (g·Cout + o)·Cin + c)
 * @returns `[batch, h′, w′, R·S, Cout]`
 */
export function gSeparable2dGroupConv2d(
  x: tf.Tensor5D,
  rotationMixing: tf.Tensor3D,
  scaleMixing: tf.Tensor4D,
  spatial: tf.Tensor4D,
  options: TwoSubgroupOptions,
): tf.Tensor5D {
  checkGrid('gSeparable2dGroupConv2d', x, options);
  const { nRotations: r, nScales: s } = options;
  const [b, h, w, , cIn] = x.shape;
  const cOut = scaleMixing.shape[0];
  const stride = checkStride('gSeparable2dGroupConv2d', options.stride);
  return tf.tidy(() => {
    const n = b * h * w;
    // rotations, per input channel: [Cin, n·S, R_in] · [Cin, R_in, R_out·Cout]
    const xc = tf.reshape(tf.transpose(tf.reshape(x, [n, r, s, cIn]), [3, 0, 2, 1]), [
      cIn,
      n * s,
      r,
    ]);
    const z1 = tf.reshape(mixMatMul(xc as tf.Tensor3D, rotationMixing), [cIn, n, s, r, cOut]);
    // scales, per (output, input) channel: [Cout, Cin, n·R, S_in] · [Cout, Cin, S_in, S_out]
    const z1oc = tf.reshape(tf.transpose(z1, [4, 0, 1, 3, 2]), [cOut, cIn, n * r, s]);
    const z2 = tf.reshape(tf.matMul(z1oc, scaleMixing), [cOut, cIn, n, r, s]);
    const mixed = tf.reshape(tf.transpose(z2, [2, 3, 4, 0, 1]), [
      b,
      h,
      w,
      r * s * cOut * cIn,
    ]) as tf.Tensor4D;
    const y = tf.depthwiseConv2d(
      mixed,
      spatial,
      stride,
      convPadding('gSeparable2dGroupConv2d', options.padding ?? 'same'),
    );
    const [, h2, w2] = y.shape;
    return tf.sum(tf.reshape(y, [b, h2, w2, r * s, cOut, cIn]), 5) as tf.Tensor5D;
  });
}
