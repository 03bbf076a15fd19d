import {
  type ApplyOptions,
  GroupBatchNorm,
  type GroupConv2D,
  type GroupFeatures,
  Module,
  reluKeepingOutput,
} from '@gcnn/group-conv';
import * as tf from '@tensorflow/tfjs-core';
import type { LayerFactory } from './internal/layer-factory';

/** Channels, kernel and stride of a {@link GroupConvBlock}. */
export interface GroupConvBlockOptions {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  /** Stride of `gconv1` and of the shortcut `skipAlign`. */
  stride: number;
}

/** Options of {@link GroupConvBlock.apply}. */
export interface GroupConvBlockApplyOptions extends Pick<ApplyOptions, 'training' | 'rng'> {
  /** Whether the batch norms update their running statistics in training (default true). */
  updateStatistics?: boolean;
}

/**
 * The residual block of the CK-G-ResNet (reference `GroupConvBlock`, §5.2), group features
 * `[batch, h, w, Gin, Cin]` → `[batch, h′, w′, Gout, Cout]`:
 *
 * `out = ReLU(ReLU(BN₂(gconv2(ReLU(BN₁(gconv1(x)))))) + skip(x))`
 *
 * - `gconv1`: Cin → Cin, kernel k, padding k//2, the block stride; `gconv2`: Cin → Cout, stride 1;
 * - both norms are BatchNorm, whatever the model's normalisation (as the reference);
 * - Cin = Cout: both convs keep the incoming elements and `skip(x) = x`;
 * - Cin ≠ Cout: both convs sample their elements and `skip = skipAlign`, a 1×1 group conv of the
 *   same factorisation with kernel nets of half the width and the block stride, evaluated on
 *   `gconv2`'s output elements.
 *
 * Weights: `gconv1.*`, `gconv2.*`, `skipAlign.*`, `norm1.*`, `norm2.*` (reference `gconv_1`,
 * `gconv_2`, `skip_align`, `normalisation_1.bn`, `normalisation_2.bn`).
 */
export class GroupConvBlock extends Module {
  readonly gconv1: GroupConv2D;
  readonly gconv2: GroupConv2D;
  readonly skipAlign: GroupConv2D | null;
  readonly norm1: GroupBatchNorm;
  readonly norm2: GroupBatchNorm;

  constructor(
    factory: LayerFactory,
    readonly options: GroupConvBlockOptions,
  ) {
    super();
    const { inChannels: cin, outChannels: cout, kernelSize: k, stride } = options;
    if (cin === cout && stride !== 1) {
      throw new Error(
        `Error in GroupConvBlock: an identity shortcut needs stride 1 when inChannels = outChannels = ${cin}, got stride ${stride}`,
      );
    }
    const pad = Math.floor(k / 2);
    this.gconv1 = this.addModule(
      'gconv1',
      factory.groupConv({ inChannels: cin, outChannels: cin, kernelSize: k, stride, padding: pad }),
    );
    this.gconv2 = this.addModule(
      'gconv2',
      factory.groupConv({
        inChannels: cin,
        outChannels: cout,
        kernelSize: k,
        stride: 1,
        padding: pad,
      }),
    );
    this.skipAlign =
      cin === cout
        ? null
        : this.addModule(
            'skipAlign',
            factory.groupConv({
              inChannels: cin,
              outChannels: cout,
              kernelSize: 1,
              stride,
              padding: 0,
              kernelNetHiddenSize: Math.floor(factory.config.kernelNet.hiddenSize / 2),
            }),
          );
    this.norm1 = this.addModule('norm1', new GroupBatchNorm({ channels: cin }));
    this.norm2 = this.addModule('norm2', new GroupBatchNorm({ channels: cout }));
  }

  /** `x` `[batch, h, w, Gin, Cin]` on `elements` `[Gin, paramDim]` → `[batch, h′, w′, Gout, Cout]`. */
  apply(x: GroupFeatures, options: GroupConvBlockApplyOptions = {}): GroupFeatures {
    const { updateStatistics: _, ...convOptions } = options;
    const keep = this.skipAlign === null;
    // Intermediates are disposed as soon as used (what a gradient needs is kept by its op), so
    // the block holds at most a few full-size maps at once (the Sim(2) model at batch 64 on wasm).
    const [features, elements] = tf.tidy((): [tf.Tensor5D, tf.Tensor2D] => {
      const a = convNormRelu(this.gconv1, this.norm1, x, {
        ...options,
        outputElements: keep ? x.elements : undefined,
      });
      const b = convNormRelu(this.gconv2, this.norm2, a, {
        ...options,
        outputElements: keep ? a.elements : undefined,
      });
      a.features.dispose();
      const skip = this.skipAlign
        ? this.skipAlign.apply(x, { ...convOptions, outputElements: b.elements }).features
        : x.features;
      const sum = tf.add(b.features, skip);
      b.features.dispose();
      if (skip !== x.features) skip.dispose();
      return [then(sum, reluKeepingOutput) as tf.Tensor5D, b.elements];
    });
    return { features, elements };
  }
}

/**
 * `ReLU(norm(conv(x)))`. In inference, where the conv can fold it (`separable`), the norm (its
 * running statistics as a per-channel affine map) and the ReLU run inside the conv's last op
 * (one fused depthwise conv instead of three passes over the map); the same values up to
 * round-off.
 */
function convNormRelu(
  conv: GroupConv2D,
  norm: GroupBatchNorm,
  x: GroupFeatures,
  options: GroupConvBlockApplyOptions & Pick<ApplyOptions, 'outputElements'>,
): GroupFeatures {
  const { updateStatistics, ...convOptions } = options;
  const training = options.training ?? false;
  if (!training && conv.foldsEpilogue) {
    const epilogue = norm.inferenceEpilogue(true);
    try {
      return conv.apply(x, { ...convOptions, epilogue });
    } finally {
      tf.dispose([epilogue.scale, epilogue.shift]);
    }
  }
  const y = conv.apply(x, convOptions);
  const features = then(y.features, (t) =>
    reluKeepingOutput(norm.apply(t, { training, updateStatistics })),
  );
  return { features, elements: y.elements };
}

/** `f(t)`, disposing `t` unless `f` returned it. */
function then<T extends tf.Tensor>(t: T, f: (t: T) => T): T {
  const out = tf.tidy(() => f(t));
  if (out !== t) t.dispose();
  return out;
}
