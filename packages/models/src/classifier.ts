import type { Module, SegmentMemory } from '@gcnn/group-conv';
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
  /**
   * How a training call keeps what the gradient needs ({@link TrainingMemory}; default `lean`).
   * Only matters inside a gradient computation; the values are the same in every mode.
   */
  memory?: TrainingMemory;
}

/**
 * What a training forward keeps for the backward pass (the gradients are the same):
 * - `autodiff`: tfjs's autodiff as is: every activation and every intermediate gradient live
 *   until the backward pass ends;
 * - `lean` (default): the model runs as gradient segments (one per conv or residual block, with
 *   the norm/pool/ReLU after it) that free activations and gradients as the backward pass walks
 *   back — the same compute, a peak of every activation plus a few gradients;
 * - `checkpoint`: the segments keep only their inputs and recompute their forward in the
 *   backward pass (gradient checkpointing): one more forward of compute, a peak of the segment
 *   inputs plus one segment's activations.
 */
export type TrainingMemory = 'autodiff' | SegmentMemory;

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
