import type { Module } from '@gcnn/group-conv';
import type { Rng } from '@gcnn/lie-groups';
import type * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from './model-config';

export interface ClassifierApplyOptions {
  /** Training mode: batch statistics, dropout, freshly sampled kernels. Default false (cached kernels). */
  training?: boolean;
  /** Randomness of `uniform` sampling and dropout in training (default: a generator the model seeds from `config.seed`). */
  rng?: Rng;
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
