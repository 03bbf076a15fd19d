import type { Rng as GroupRng } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';
import { correctCount, crossEntropy } from './losses';
import type { BatchShard, TrainableModel } from './trainable-model';

/** Loss, top-1 hits and gradients of one training batch (the caller disposes every tensor). */
export interface StepGradients {
  /** Mean softmax cross-entropy over the batch, a scalar. */
  loss: tf.Scalar;
  /** Number of top-1 hits in the batch, a float32 scalar. */
  correct: tf.Scalar;
  /**
   * ∂loss/∂θ by parameter name (the names of `model.namedVariables()`), each shaped as its
   * parameter. A trainable variable the loss does not reach has no entry.
   */
  grads: Record<string, tf.Tensor>;
}

/**
 * Computes a training step's loss and gradients on several replicas of one model — e.g.
 * `@gcnn/training/node`'s `DataParallelTrainer` (one replica per worker thread) — for
 * {@link train}'s `dataParallel` option. The optimizer step stays with the caller, on `model`.
 */
export interface DataParallel {
  /** Replica 0: the model the trainer updates. Every other replica copies its variables each step. */
  readonly model: TrainableModel;
  /** Number of replicas, this thread's included (1 = no parallelism). */
  readonly replicas: number;
  /**
   * Loss, hits and gradients of the batch `xs` `[B, h, w, c]`, `ys` `[B]` (int32 class indices),
   * with `model`'s current variables: the batch is split into contiguous shards
   * ({@link shardSizes}), each replica computes its shard with `rng` in the state it has at the
   * call, and the results are combined weighted by shard size. `rng` ends as replica 0's forward
   * left it. `xs` and `ys` stay the caller's.
   */
  computeGradients(xs: tf.Tensor4D, ys: tf.Tensor1D, rng: GroupRng): Promise<StepGradients>;
  /**
   * Inference logits `[B, classes]` of `xs` `[B, h, w, c]` over the replicas (shards as for
   * `computeGradients`, concatenated in batch order), with `model`'s current variables. Optional:
   * {@link evaluate} falls back to `model.apply` without it.
   */
  predict?(xs: tf.Tensor4D): Promise<tf.Tensor2D>;
}

/**
 * Sizes of the contiguous shards of a batch of `batchSize` rows over `replicas` replicas: they
 * differ by at most 1, the larger ones first (replica 0 gets ⌈B/R⌉); with `batchSize < replicas`
 * the last replicas get 0 rows.
 */
export function shardSizes(batchSize: number, replicas: number): number[] {
  if (!Number.isInteger(batchSize) || batchSize < 0) {
    throw new Error(
      `Error in shardSizes: batchSize must be an integer ≥ 0, got ${String(batchSize)}`,
    );
  }
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw new Error(
      `Error in shardSizes: replicas must be an integer ≥ 1, got ${String(replicas)}`,
    );
  }
  const base = Math.floor(batchSize / replicas);
  const extra = batchSize % replicas;
  return Array.from({ length: replicas }, (_, r) => base + (r < extra ? 1 : 0));
}

/**
 * One model's loss, hits and gradients on the batch `xs` `[n, h, w, c]`, `ys` `[n]`: the forward
 * in training mode (consuming `rng` as the model does) inside `tf.variableGrads`, the mean
 * cross-entropy and its gradient for every trainable variable. `shard` tells the model that the
 * rows are part of a larger batch (see {@link TrainableModel.apply}). What {@link train} runs
 * per step without `dataParallel`, and what each replica of a {@link DataParallel} runs on its
 * shard.
 */
export function batchGradients(
  model: TrainableModel,
  xs: tf.Tensor4D,
  ys: tf.Tensor1D,
  rng: GroupRng,
  shard?: BatchShard,
): StepGradients {
  const params = model.namedVariables().filter(([, v]) => v.trainable);
  let logits: tf.Tensor2D | undefined;
  const { value, grads } = tf.variableGrads(
    () => {
      const out = model.apply(xs, { training: true, rng, ...(shard ? { shard } : {}) });
      logits = tf.keep(out);
      return crossEntropy(out, ys);
    },
    params.map(([, v]) => v),
  );
  const byName: Record<string, tf.Tensor> = {};
  for (const [name, v] of params) {
    const g = grads[v.name];
    if (g) byName[name] = g;
  }
  const correct = correctCount(logits as tf.Tensor2D, ys);
  (logits as tf.Tensor2D).dispose();
  return { loss: value, correct, grads: byName };
}
