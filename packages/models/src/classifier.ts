import type { Module } from '@gcnn/group-conv';
import type { Rng } from '@gcnn/lie-groups';
import type * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from './model-config';

export interface ClassifierApplyOptions {
  /** Training mode: batch statistics, dropout, freshly sampled kernels. Default false (cached kernels). */
  training?: boolean;
  /** Randomness of `uniform` sampling and dropout in training (default: a generator the model seeds from `config.seed`). */
  rng?: Rng;
  /**
   * The images are rows `[offset, offset + batch)` of a batch of `total` rows (data-parallel
   * training: one shard per replica). Dropout then draws the full batch's mask (same seed, shape
   * `[total, …]`) and uses its rows, so the shards together drop exactly what one call on the
   * whole batch would. Nothing else depends on it; batch norm still uses this call's rows only.
   * Default: the images are the whole batch.
   */
  shard?: BatchShard;
}

/** Rows `[offset, offset + n)` of a batch of `total` rows (`0 ≤ offset`, `offset + n ≤ total`). */
export interface BatchShard {
  offset: number;
  total: number;
}

/**
 * What the trainer and the CLI need of a model: logits for an image batch, its variables by
 * name (trainable weights and BatchNorm running statistics), and its config.
 */
export interface Classifier extends Module {
  readonly config: ModelConfig;
  /** Images `[batch, h, w, inChannels]` → logits `[batch, numClasses]`. */
  apply(images: tf.Tensor4D, options?: ClassifierApplyOptions): tf.Tensor2D;
}
