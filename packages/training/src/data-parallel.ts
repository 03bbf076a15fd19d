import type { Rng as GroupRng } from '@gcnn/lie-groups';
import type { TrainingMemory } from '@gcnn/models';
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
   * left it. `options` (memory mode, micro-batches) applies to every replica's shard. `xs` and
   * `ys` stay the caller's.
   */
  computeGradients(
    xs: tf.Tensor4D,
    ys: tf.Tensor1D,
    rng: GroupRng,
    options?: StepOptions,
  ): Promise<StepGradients>;
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

/** How one thread computes its rows of a step: the memory mode and micro-batches of a `StepPlan`. */
export interface StepOptions {
  /** What the forward keeps for the backward pass (passed to `model.apply`; default the model's). */
  memory?: TrainingMemory;
  /**
   * Split the rows into this many contiguous micro-batches, one forward and backward each, and
   * sum their gradients weighted by rows (default 1). Batch statistics are per micro-batch.
   */
  accumulateSteps?: number;
}

/**
 * One model's loss, hits and gradients on the batch `xs` `[n, h, w, c]`, `ys` `[n]`: the forward
 * in training mode (consuming `rng` as the model does) inside `tf.variableGrads`, the mean
 * cross-entropy and its gradient for every trainable variable. `shard` tells the model that the
 * rows are part of a larger batch (see {@link TrainableModel.apply}). What {@link train} runs
 * per step without `dataParallel`, and what each replica of a {@link DataParallel} runs on its
 * shard.
 *
 * With `options.accumulateSteps` = A > 1 the rows are split into A contiguous micro-batches
 * ({@link shardSizes}); each starts from `rng`'s state at the call (so every micro-batch samples
 * the same group elements and dropout draws its rows of the whole batch's masks, as the shards of
 * a data-parallel step do) and the results are combined as `Σ (n_i/n)·g_i`. For a model whose
 * rows do not interact (no batch statistics) that is the gradient of the whole batch, up to
 * float32 round-off; batch norm normalises each micro-batch by its own statistics and updates its
 * running statistics once per micro-batch (as PyTorch does with gradient accumulation).
 */
export function batchGradients(
  model: TrainableModel,
  xs: tf.Tensor4D,
  ys: tf.Tensor1D,
  rng: GroupRng,
  shard?: BatchShard,
  options: StepOptions = {},
): StepGradients {
  const n = xs.shape[0];
  const sizes = shardSizes(n, options.accumulateSteps ?? 1).filter((size) => size > 0);
  if (sizes.length <= 1) return rowGradients(model, xs, ys, rng, shard, options.memory);
  const start = rng.getState();
  let end = start;
  let total: StepGradients | null = null;
  let offset = 0;
  for (const size of sizes) {
    rng.setState(start);
    const [x, y] = tf.tidy(() => [tf.slice(xs, offset, size), tf.slice(ys, offset, size)]);
    let part: StepGradients;
    try {
      const rows = { offset: (shard?.offset ?? 0) + offset, total: shard?.total ?? n };
      part = rowGradients(model, x as tf.Tensor4D, y as tf.Tensor1D, rng, rows, options.memory);
    } catch (error) {
      if (total) disposeStep(total);
      throw error;
    } finally {
      tf.dispose([x, y]);
    }
    end = rng.getState();
    total = addWeighted(total, part, size / n);
    offset += size;
  }
  rng.setState(end);
  return total as StepGradients;
}

/** `sum + w·part` (loss and gradients weighted, hits summed); disposes `sum` and `part`. */
function addWeighted(sum: StepGradients | null, part: StepGradients, w: number): StepGradients {
  const out = tf.tidy(() => {
    const scaled = (t: tf.Tensor) => tf.mul(t, w);
    const grads: Record<string, tf.Tensor> = {};
    for (const name of new Set([...Object.keys(sum?.grads ?? {}), ...Object.keys(part.grads)])) {
      const [a, b] = [sum?.grads[name], part.grads[name]];
      const term = b ? scaled(b) : null;
      grads[name] = a && term ? tf.add(a, term) : (term ?? tf.clone(a as tf.Tensor));
    }
    return {
      loss: (sum ? tf.add(sum.loss, scaled(part.loss)) : scaled(part.loss)) as tf.Scalar,
      correct: (sum ? tf.add(sum.correct, part.correct) : tf.clone(part.correct)) as tf.Scalar,
      grads,
    };
  });
  if (sum) disposeStep(sum);
  disposeStep(part);
  return out;
}

function disposeStep(step: StepGradients): void {
  tf.dispose([step.loss, step.correct, ...Object.values(step.grads)]);
}

/** One forward and backward of all of `xs` (the plain step). */
function rowGradients(
  model: TrainableModel,
  xs: tf.Tensor4D,
  ys: tf.Tensor1D,
  rng: GroupRng,
  shard?: BatchShard,
  memory?: TrainingMemory,
): StepGradients {
  const params = model.namedVariables().filter(([, v]) => v.trainable);
  let logits: tf.Tensor2D | undefined;
  const { value, grads } = tf.variableGrads(
    () => {
      const out = model.apply(xs, {
        training: true,
        rng,
        ...(shard ? { shard } : {}),
        ...(memory ? { memory } : {}),
      });
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
