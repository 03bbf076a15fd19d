import type { Rng as GroupRng } from '@gcnn/lie-groups';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * What the trainer needs of a model: the structural subset of `@gcnn/models`' `Classifier`
 * (any `Classifier` is one), so the trainer depends on no model code.
 */
export interface TrainableModel {
  /** The model's JSON config, stored in checkpoints so a model can be rebuilt. */
  readonly config: unknown;
  /** Images `[batch, h, w, c]` → logits `[batch, classes]`. */
  apply(images: tf.Tensor4D, options?: { training?: boolean; rng?: GroupRng }): tf.Tensor2D;
  /** Every variable (trainable weights and e.g. BatchNorm running statistics) by unique name. */
  namedVariables(): Array<[string, tf.Variable]>;
  /** Assigns variables by name (shapes must match). Invalidates cached kernels. */
  setWeights(weights: Record<string, tf.Tensor>, options?: { allowMissing?: boolean }): void;
  /** Drops cached inference kernels (after the weights changed). */
  invalidateCache(): void;
}
