import type { Rng as GroupRng } from '@gcnn/lie-groups';
import type { BatchShard, StepBytesEstimate, StepBytesOptions, TrainingMemory } from '@gcnn/models';
import type * as tf from '@tensorflow/tfjs-core';

export type { BatchShard };

/**
 * What the trainer needs of a model: the structural subset of `@gcnn/models`' `Classifier`
 * (any `Classifier` is one). The trainer imports only types from `@gcnn/models`, no model code,
 * so any model with this shape trains (the tests use a tiny dense one).
 */
export interface TrainableModel {
  /** The model's JSON config, stored in checkpoints so a model can be rebuilt. */
  readonly config: unknown;
  /**
   * Images `[batch, h, w, c]` → logits `[batch, classes]`. `shard` (data-parallel training) says
   * the images are rows `[offset, offset + batch)` of a batch of `total`: a model whose training
   * randomness is per row (dropout) should draw the whole batch's and use these rows, so that the
   * replicas together draw what one call on the whole batch would; a model may ignore it.
   * `memory` says what a training call keeps for the gradient (same values; a model may ignore it).
   */
  apply(
    images: tf.Tensor4D,
    options?: { training?: boolean; rng?: GroupRng; shard?: BatchShard; memory?: TrainingMemory },
  ): tf.Tensor2D;
  /**
   * Optional: the bytes one training step of `batch` rows holds at its peak with `memory` (what
   * the trainer plans steps with, see `planStep`). A model without it trains `lean` as asked.
   */
  estimateStepBytes?(options: StepBytesOptions): StepBytesEstimate;
  /** Every variable (trainable weights and e.g. BatchNorm running statistics) by unique name. */
  namedVariables(): Array<[string, tf.Variable]>;
  /** Assigns variables by name (shapes must match). Invalidates cached kernels. */
  setWeights(weights: Record<string, tf.Tensor>, options?: { allowMissing?: boolean }): void;
  /** Drops cached inference kernels (after the weights changed). */
  invalidateCache(): void;
}
