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
 * Memory: one `tf.customGrad` op that keeps only its inputs for the gradient and recomputes the
 * mixed maps in the backward pass (two transposes and two mixing matMuls, intermediates freed as
 * soon as used). Autodiff of the plain formulation kept four full-size maps per layer
 * (`[n·S, R·Cin]`, `[Cout, n·R, S]`, the mixed `[b, h, w, R·S·Cout]`, plus tfjs's copies): the
 * Sim(2) 16×3 model did not fit the wasm backend's 4 GiB heap at batch 16. Values and gradients
 * are those of the plain formulation (same kernels on the same operands; see the tests).
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
  const pad = convPadding('separable2dGroupConv2d', options.padding ?? 'same');
  const n = b * h * w;
  const mixedShape: [number, number, number, number] = [b, h, w, r * s * cOut];
  /** `[n·S, R·Cin]`: rows (pixel, input scale), columns (rotation, channel). */
  const rotationInput = (t: tf.Tensor) =>
    tf.tidy(() =>
      tf.reshape(tf.transpose(tf.reshape(t, [n, r, s, cIn]), [0, 2, 1, 3]), [n * s, r * cIn]),
    ) as tf.Tensor2D;
  /** `[n·S, R·Cout]` → `[Cout, n·R, S]`. */
  const scaleInput = (z1: tf.Tensor) =>
    tf.tidy(() =>
      tf.reshape(tf.transpose(tf.reshape(z1, [n, s, r, cOut]), [3, 0, 2, 1]), [cOut, n * r, s]),
    ) as tf.Tensor3D;
  /** Both mixings: the depthwise conv's input `[b, h, w, R·S·Cout]` and (optionally) `[Cout, n·R, S]`. */
  const mix = (xt: tf.Tensor, rot: tf.Tensor2D, sc: tf.Tensor3D, keepScaleInput: boolean) => {
    const xs = rotationInput(xt);
    const z1 = tf.matMul(xs, rot);
    xs.dispose();
    const z1c = scaleInput(z1);
    z1.dispose();
    const z2 = tf.matMul(z1c, sc);
    if (!keepScaleInput) z1c.dispose();
    const mixed = tf.tidy(() =>
      tf.reshape(tf.transpose(tf.reshape(z2, [cOut, n, r, s]), [1, 2, 3, 0]), mixedShape),
    ) as tf.Tensor4D;
    z2.dispose();
    return { mixed, z1c: keepScaleInput ? z1c : null };
  };
  const dwAttrs = { strides: stride, pad, dilations: [1, 1] as [number, number] };
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xt, rot, sc, sp, save] = args as [
      tf.Tensor5D,
      tf.Tensor2D,
      tf.Tensor3D,
      tf.Tensor4D,
      tf.GradSaveFunc,
    ];
    save([xt, rot, sc, sp]);
    const { mixed } = mix(xt, rot, sc, false);
    const y = tf.depthwiseConv2d(mixed, sp, stride, pad);
    mixed.dispose();
    const [, h2, w2] = y.shape;
    return {
      value: tf.reshape(y, [b, h2, w2, r * s, cOut]),
      gradFunc: (dy5: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [xs5, rots, scs, sps] = saved as [
            tf.Tensor5D,
            tf.Tensor2D,
            tf.Tensor3D,
            tf.Tensor4D,
          ];
          const dy = tf.reshape(dy5, [b, h2, w2, r * s * cOut]);
          // recompute the depthwise input (the rotation-mixing input is re-transposed at the end)
          const { mixed: m, z1c } = mix(xs5, rots, scs, true);
          const engine = tf.engine();
          const dSpatial = engine.runKernel(
            'DepthwiseConv2dNativeBackpropFilter',
            { x: m, dy },
            {
              ...dwAttrs,
              filterShape: sps.shape,
            },
          ) as tf.Tensor4D;
          m.dispose();
          const dMixed = engine.runKernel(
            'DepthwiseConv2dNativeBackpropInput',
            { dy, filter: sps },
            { ...dwAttrs, inputShape: mixedShape },
          ) as tf.Tensor4D;
          // gradients of the reshape/transpose chain and of the mixing matMuls (as mixMatMul)
          const dz2 = tf.tidy(() =>
            tf.reshape(tf.transpose(tf.reshape(dMixed, [n, r, s, cOut]), [3, 0, 1, 2]), [
              cOut,
              n * r,
              s,
            ]),
          );
          dMixed.dispose();
          const dScale = tf.tidy(() => tf.matMul(tf.transpose(z1c!, [0, 2, 1]), dz2));
          z1c!.dispose();
          const dz1c = tf.tidy(() => tf.matMul(dz2, tf.transpose(scs, [0, 2, 1])));
          dz2.dispose();
          const dz1 = tf.tidy(() =>
            tf.reshape(tf.transpose(tf.reshape(dz1c, [cOut, n, r, s]), [1, 3, 2, 0]), [
              n * s,
              r * cOut,
            ]),
          );
          dz1c.dispose();
          const xs = rotationInput(xs5);
          const dRot = tf.tidy(() => tf.matMul(tf.transpose(xs, [1, 0]), dz1));
          xs.dispose();
          const dx = tf.tidy(() =>
            tf.reshape(
              tf.transpose(
                tf.reshape(tf.matMul(dz1, tf.transpose(rots, [1, 0])), [n, s, r, cIn]),
                [0, 2, 1, 3],
              ),
              xs5.shape,
            ),
          );
          dz1.dispose();
          return [dx, dRot, dScale, dSpatial];
        }),
    };
  });
  return f(x, rotationMixing, scaleMixing, spatial) as tf.Tensor5D;
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
