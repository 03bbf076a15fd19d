import * as tf from '@tensorflow/tfjs-core';
import { assertGroupFeatures, convPadding } from '../layout';
import {
  circulantBlocks,
  circulantProduct,
  circulantProductGradients,
  useCirculantMixing,
} from './circulant-mixing';
import { type ConvOptions, checkStride } from './conv-options';
import {
  perChannelInputGradient,
  perChannelMixingGradient,
  perChannelOperand,
  perChannelProduct,
  usePerChannelMixKernels,
} from './per-channel-mixing';

export interface TwoSubgroupOptions extends ConvOptions {
  nRotations: number;
  nScales: number;
  /**
   * The rotation mixing is block-circulant, as the layers sample it (k(θ_in − θ_out) on a uniform
   * rotation grid): `separable2dGroupConv2d` may then run it in Fourier form
   * (`useCirculantMixing`: R/2 times fewer FLOPs), applying its projection onto block-circulant
   * matrices — the mixing itself, up to round-off. Default false: the dense product.
   */
  circulant?: boolean;
}

function checkGrid(op: string, x: tf.Tensor5D, options: TwoSubgroupOptions) {
  assertGroupFeatures(op, x, options.nRotations * options.nScales);
}

/** Sizes of one `separable+2d` call: `n` = batch·h·w pixels, R rotations, S scales. */
interface Separable2dGeometry {
  n: number;
  r: number;
  s: number;
  cIn: number;
  cOut: number;
  /** The scale mixing runs as the `PER_CHANNEL_MIX_KERNELS` (decided once per call). */
  scaleKernels: boolean;
  /** `[batch, h, w, R·S·Cout]`, the depthwise conv's input. */
  mixedShape: [number, number, number, number];
  depthwise: { strides: [number, number]; pad: ReturnType<typeof convPadding> };
}

function separable2dGeometry(
  x: tf.Tensor5D,
  rotationMixing: tf.Tensor2D,
  scaleMixing: tf.Tensor3D,
  options: TwoSubgroupOptions,
): Separable2dGeometry {
  const op = 'separable2dGroupConv2d';
  checkGrid(op, x, options);
  const { nRotations: r, nScales: s } = options;
  const [b, h, w, , cIn] = x.shape;
  const cOut = scaleMixing.shape[0];
  if (
    rotationMixing.shape[0] !== r * cIn ||
    rotationMixing.shape[1] !== r * cOut ||
    scaleMixing.shape[1] !== s ||
    scaleMixing.shape[2] !== s
  ) {
    throw new Error(
      `Error in ${op}: expected rotationMixing [${r * cIn}, ${r * cOut}] and scaleMixing [Cout, ${s}, ${s}], got [${rotationMixing.shape}] and [${scaleMixing.shape}]`,
    );
  }
  const stride = checkStride(op, options.stride);
  const pad = convPadding(op, options.padding ?? 'same');
  return {
    n: b * h * w,
    r,
    s,
    cIn,
    cOut,
    scaleKernels: usePerChannelMixKernels(),
    mixedShape: [b, h, w, r * s * cOut],
    depthwise: { strides: [stride, stride], pad },
  };
}

/**
 * Swaps two adjacent group axes: a `[n, A, B, C]` map (any shape of that size) → `[n·B, A·C]`
 * (rows: pixel and the B index, columns: the A index and channel). With (A, B) = (R, S) and
 * C = Cin it is the rotation mixing's input, with (S, R) and Cout the scale mixing's.
 */
function swapGroupAxes(t: tf.Tensor, n: number, a: number, b: number, c: number): tf.Tensor2D {
  return tf.tidy(() =>
    tf.reshape(tf.transpose(tf.reshape(t, [n, a, b, c]), [0, 2, 1, 3]), [n * b, a * c]),
  ) as tf.Tensor2D;
}

/**
 * The rotation mixing `[n·S, R·Cin] → [n·S, R·Cout]`: a dense matMul with `rot` `[R·Cin, R·Cout]`,
 * or in Fourier form with its blocks `[R/2, 2·Cin, 2·Cout]` (circulant-mixing.ts).
 */
function rotationProduct(xs: tf.Tensor2D, rot: tf.Tensor, g: Separable2dGeometry): tf.Tensor2D {
  return rot.rank === 3
    ? circulantProduct(xs, rot as tf.Tensor3D, g.r)
    : tf.matMul(xs, rot as tf.Tensor2D);
}

/**
 * Both mixings: rotation and channel (`[n·S, R·Cin]·[R·Cin, R·Cout]`), then scale per output
 * channel on `[n·R, S·Cout]` (`scale`: its `perChannelOperand`). Returns the depthwise input
 * `[batch, h, w, R·S·Cout]` and, if asked, the scale mixing's input `[n·R, S·Cout]`.
 */
function mix(
  x: tf.Tensor,
  rot: tf.Tensor,
  scale: tf.Tensor,
  g: Separable2dGeometry,
  keepScaleInput: boolean,
): { mixed: tf.Tensor4D; scaleInput: tf.Tensor2D | null } {
  const xs = swapGroupAxes(x, g.n, g.r, g.s, g.cIn);
  const z1 = rotationProduct(xs, rot, g);
  xs.dispose();
  const z1t = swapGroupAxes(z1, g.n, g.s, g.r, g.cOut);
  z1.dispose();
  const mixed = tf.tidy(() =>
    tf.reshape(perChannelProduct(z1t, scale), g.mixedShape),
  ) as tf.Tensor4D;
  if (!keepScaleInput) z1t.dispose();
  return { mixed, scaleInput: keepScaleInput ? z1t : null };
}

/**
 * `separable+2d` group convolution on Sim(2) (group axis rotation-major, R rotations × S scales):
 * rotation and channel mixing, per-output-channel scale mixing, then a depthwise spatial conv.
 *
 * The scale mixing runs on the `[n·R, S·Cout]` view of the rotation mixing's output (one
 * transpose of adjacent axes away, and already the depthwise conv's layout): with the
 * `PER_CHANNEL_MIX_KERNELS` where the backend registers them (wasm with
 * @gcnn/tfjs-wasm-training), otherwise as one matMul with a block-diagonal `[S·Cout, S·Cout]`
 * matrix (per-channel-mixing.ts; Cout× the FLOPs, at the matMul ceiling).
 *
 * Memory: one `tf.customGrad` op that keeps only its inputs for the gradient and recomputes the
 * mixed maps in the backward pass, freeing each intermediate as soon as it is used. Values and
 * gradients are those of autodiff of the plain formulation (see the tests).
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
  const g = separable2dGeometry(x, rotationMixing, scaleMixing, options);
  if (options.circulant && useCirculantMixing(g.r)) {
    // the blocks outside the op: autodiff carries their gradient back to the mixing
    return tf.tidy(() =>
      separable2dOp(x, circulantBlocks(rotationMixing, g.r), scaleMixing, spatial, g),
    );
  }
  return separable2dOp(x, rotationMixing, scaleMixing, spatial, g);
}

/**
 * {@link separable2dGroupConv2d} as one custom-gradient op, the rotation mixing given dense
 * (`[R·Cin, R·Cout]`) or as its Fourier blocks (`[R/2, 2·Cin, 2·Cout]`).
 */
function separable2dOp(
  x: tf.Tensor5D,
  rotation: tf.Tensor2D | tf.Tensor3D,
  scaleMixing: tf.Tensor3D,
  spatial: tf.Tensor4D,
  g: Separable2dGeometry,
): tf.Tensor5D {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xt, rot, sc, sp, save] = args as [
      tf.Tensor5D,
      tf.Tensor,
      tf.Tensor3D,
      tf.Tensor4D,
      tf.GradSaveFunc,
    ];
    save([xt, rot, sc, sp]);
    const scale = perChannelOperand(sc, g.scaleKernels);
    const { mixed } = mix(xt, rot, scale, g, false);
    scale.dispose();
    const y = tf.depthwiseConv2d(mixed, sp, g.depthwise.strides, g.depthwise.pad);
    mixed.dispose();
    const [b, h2, w2] = y.shape;
    return {
      value: tf.reshape(y, [b, h2, w2, g.r * g.s, g.cOut]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        separable2dGradients(tf.reshape(dy, [b, h2, w2, g.r * g.s * g.cOut]), saved, g),
    };
  });
  return f(x, rotation, scaleMixing, spatial) as tf.Tensor5D;
}

/**
 * The gradients of {@link separable2dGroupConv2d} w.r.t. `[x, rotationMixing, scaleMixing,
 * spatial]` (`saved`) for `dy` `[batch, h′, w′, R·S·Cout]`: the mixings recomputed, then the
 * depthwise conv's and the two matMuls' gradients, each intermediate freed as soon as used.
 */
function separable2dGradients(
  dy: tf.Tensor4D,
  saved: tf.Tensor[],
  g: Separable2dGeometry,
): tf.Tensor[] {
  return tf.tidy(() => {
    const [x, rot, sc, sp] = saved as [tf.Tensor5D, tf.Tensor, tf.Tensor3D, tf.Tensor4D];
    const engine = tf.engine();
    const scale = perChannelOperand(sc, g.scaleKernels);
    const { mixed, scaleInput } = mix(x, rot, scale, g, true);
    const z1t = scaleInput as tf.Tensor2D;
    const dSpatial = engine.runKernel(
      'DepthwiseConv2dNativeBackpropFilter',
      { x: mixed, dy },
      { ...g.depthwise, dilations: [1, 1], filterShape: sp.shape },
    ) as tf.Tensor4D;
    mixed.dispose();
    const dMixed = engine.runKernel(
      'DepthwiseConv2dNativeBackpropInput',
      { dy, filter: sp },
      { ...g.depthwise, dilations: [1, 1], inputShape: g.mixedShape },
    ) as tf.Tensor4D;
    const dz2 = tf.reshape(dMixed, [g.n * g.r, g.s * g.cOut]) as tf.Tensor2D;
    const dScale = perChannelMixingGradient(dz2, z1t, scale, g.cOut);
    z1t.dispose();
    const dz1t = perChannelInputGradient(dz2, scale);
    tf.dispose([dMixed, dz2, scale]);
    const dz1 = swapGroupAxes(dz1t, g.n, g.r, g.s, g.cOut);
    dz1t.dispose();
    const xs = swapGroupAxes(x, g.n, g.r, g.s, g.cIn);
    const [dxs, dRot] =
      rot.rank === 3
        ? circulantProductGradients(dz1, xs, rot as tf.Tensor3D, g.r)
        : [tf.matMul(dz1, rot as tf.Tensor2D, false, true), tf.matMul(xs, dz1, true, false)];
    tf.dispose([xs, dz1]);
    const dx = tf.reshape(swapGroupAxes(dxs, g.n, g.s, g.r, g.cIn), x.shape);
    return [dx, dRot, dScale, dSpatial];
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
    const z1 = tf.reshape(tf.matMul(xc as tf.Tensor3D, rotationMixing as tf.Tensor3D), [
      cIn,
      n,
      s,
      r,
      cOut,
    ]);
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
