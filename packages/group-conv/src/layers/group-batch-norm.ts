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
   * `tf.batchNorm` on `x` viewed as `[1, 1, n, C]`: tfjs's batchNorm gradient only handles inputs
   * of rank ≤ 4 (it tiles to a 4-D shape), and group feature maps have rank 5.
   */
  private batchNorm(x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor): tf.Tensor {
    const c = this.options.channels;
    const flat = tf.reshape(x, [1, 1, -1, c]) as tf.Tensor4D;
    const y = tf.batchNorm(
      flat,
      mean as tf.Tensor1D,
      variance as tf.Tensor1D,
      this.bias as tf.Tensor1D,
      this.weight as tf.Tensor1D,
      this.epsilon,
    );
    return tf.reshape(y, x.shape);
  }

  /** Normalises over axes `axes` of `x` (channels last); shared with the 2-D head norm. */
  protected normalize(x: tf.Tensor, axes: number[], training: boolean): tf.Tensor {
    if (!training) {
      return tf.tidy(() => this.batchNorm(x, this.runningMean, this.runningVar));
    }
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, axes);
      const n = axes.reduce((p, a) => p * x.shape[a]!, 1);
      const m = this.momentum;
      tf.tidy(() => {
        this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
        this.runningVar.assign(
          tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(variance, (m * n) / Math.max(n - 1, 1))),
        );
      });
      return this.batchNorm(x, mean, variance);
    });
  }
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
