import * as tf from '@tensorflow/tfjs-core';
import { assertGroupFeatures } from '../layout';
import { Module } from './module';

export interface BatchNormOptions {
  channels: number;
  /** Default 1e-5. */
  epsilon?: number;
  /** Running-statistics update rate (PyTorch convention, default 0.1). */
  momentum?: number;
}

/**
 * Batch normalisation over every axis but the last (channels), PyTorch conventions: training
 * normalises with batch statistics and updates the running ones (unbiased variance), inference
 * uses the running statistics. Weights: `weight`, `bias` (trainable), `runningMean`, `runningVar`.
 */
abstract class BatchNormBase extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  readonly epsilon: number;
  readonly momentum: number;

  constructor(readonly options: BatchNormOptions) {
    super();
    const c = options.channels;
    if (!Number.isInteger(c) || c < 1)
      throw new Error(`Error in BatchNorm: channels must be a positive integer, got ${c}`);
    this.epsilon = options.epsilon ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    this.weight = this.addWeight('weight', tf.ones([c]));
    this.bias = this.addWeight('bias', tf.zeros([c]));
    this.runningMean = this.addWeight('runningMean', tf.zeros([c]), false);
    this.runningVar = this.addWeight('runningVar', tf.ones([c]), false);
  }

  /**
   * Inference: `x·s + t` per channel with `s = γ/√(σ² + ε)`, `t = β − μ·s` (computed on `[C]`).
   * One broadcast multiply and add: tfjs-backend-wasm's FusedBatchNorm took 73 ms on a
   * `[401408, 32]` map (SE(2) model, batch 64), the two ops ≈ 25 ms; on cpu and webgl they cost
   * about the same as tf.batchNorm.
   */
  private batchNorm(x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor): tf.Tensor {
    const scale = tf.mul(this.weight, tf.rsqrt(tf.add(variance, this.epsilon)));
    const shift = tf.sub(this.bias, tf.mul(mean, scale));
    return tf.add(tf.mul(x, scale), shift);
  }

  /**
   * Normalises over every axis but the last (channels; the subclasses' `axes` are always those),
   * shared with the 2-D head norm.
   */
  protected normalize(x: tf.Tensor, _axes: number[], training: boolean): tf.Tensor {
    if (!training) {
      return tf.tidy(() => this.batchNorm(x, this.runningMean, this.runningVar));
    }
    return tf.tidy(() => {
      const c = this.options.channels;
      const flat = tf.reshape(x, [-1, c]) as tf.Tensor2D;
      const n = flat.shape[0];
      const m = this.momentum;
      const y = batchNormTraining(
        flat,
        this.weight as tf.Tensor1D,
        this.bias as tf.Tensor1D,
        this.epsilon,
        (mean, variance) =>
          tf.tidy(() => {
            this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
            this.runningVar.assign(
              tf.add(
                tf.mul(this.runningVar, 1 - m),
                tf.mul(variance, (m * n) / Math.max(n - 1, 1)),
              ),
            );
          }),
      );
      return tf.reshape(y, x.shape);
    });
  }
}

/**
 * Σ over rows of `[n, C]` → `[C]`, as the matMul `1ᵀ·x`: tfjs reduces a non-innermost axis by
 * transposing first (wasm: 20 ms for 100352×32, cpu 89 ms), the matMul takes 0.8 ms (cpu 17 ms).
 */
function channelSum(x: tf.Tensor2D): tf.Tensor1D {
  const [n, c] = x.shape;
  return tf.reshape(tf.matMul(tf.ones([1, n]), x), [c]);
}

/** Per-channel mean and biased variance of `[n, C]` (two-pass). */
function channelMoments(x: tf.Tensor2D): { mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const n = x.shape[0];
  const mean = tf.div(channelSum(x), n) as tf.Tensor1D;
  const variance = tf.div(channelSum(tf.square(tf.sub(x, mean)) as tf.Tensor2D), n) as tf.Tensor1D;
  return { mean, variance };
}

/**
 * Training-mode batch norm of `[n, C]` with its batch statistics (μ, biased σ², handed to
 * `onStats` for the running averages): `γ·(x − μ)/√(σ² + ε) + β`, with the analytic gradient
 * `dx = γ/(n·√(σ² + ε))·(n·dy − Σdy − x̂·Σ(dy·x̂))`, `dγ = Σ(dy·x̂)`, `dβ = Σdy`. Every reduction
 * is a {@link channelSum}; autodiff of tf.moments + tf.batchNorm instead tiles and reduces over
 * non-innermost axes (on wasm ≈ 25× slower for the ResNet's feature maps).
 */
function batchNormTraining(
  x: tf.Tensor2D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
  onStats: (mean: tf.Tensor1D, variance: tf.Tensor1D) => void,
): tf.Tensor2D {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xs, g, b, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const { mean: mu, variance: v } = channelMoments(xs);
    onStats(mu, v);
    const r = tf.rsqrt(tf.add(v, epsilon));
    const xhat = tf.mul(tf.sub(xs, mu), r);
    save([xhat, g, r]);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      // in a tidy: tfjs runs customGrad gradients outside one, and keeps whatever they leave
      // until the whole backward pass ends (several full-size maps per norm)
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [xh, gs, rs] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
          const n = xh.shape[0];
          const dBeta = channelSum(dy as tf.Tensor2D);
          const dGamma = channelSum(tf.mul(dy, xh) as tf.Tensor2D);
          const dx = tf.mul(
            tf.sub(tf.sub(tf.mul(dy, n), dBeta), tf.mul(xh, dGamma)),
            tf.div(tf.mul(gs, rs), n),
          );
          return [dx, dGamma, dBeta];
        }),
    };
  });
  return f(x, gamma, beta) as tf.Tensor2D;
}

/**
 * Batch normalisation of group feature maps `[batch, h, w, G, C]` with statistics and affine
 * parameters per channel, shared over (batch, h, w, G), so it commutes with the group action
 * (the reference's BatchNorm3d).
 */
export class GroupBatchNorm extends BatchNormBase {
  apply(x: tf.Tensor5D, options: { training?: boolean } = {}): tf.Tensor5D {
    assertGroupFeatures('GroupBatchNorm', x, undefined, this.options.channels);
    return this.normalize(x, [0, 1, 2, 3], options.training ?? false) as tf.Tensor5D;
  }
}

/** Batch normalisation of `[batch, C]` features (the head's BatchNorm1d), same conventions. */
export class BatchNorm1D extends BatchNormBase {
  apply(x: tf.Tensor2D, options: { training?: boolean } = {}): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.options.channels) {
      throw new Error(
        `Error in BatchNorm1D: x must be [batch, ${this.options.channels}], got shape [${x.shape}]`,
      );
    }
    return this.normalize(x, [0], options.training ?? false) as tf.Tensor2D;
  }
}
