import { type Augmentation, batches, type Dataset, type Normalization } from '@gcnn/datasets';
import { Xoshiro128 } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';
import type { DataParallel } from './data-parallel';
import { correctCount, crossEntropy } from './losses';
import type { TrainableModel } from './trainable-model';

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  batchSize: number;
  normalization?: Normalization;
  /** Test-time augmentations (e.g. CIFAR10-rot's rotations) and their randomness seed. */
  augmentations?: readonly Augmentation[];
  seed?: number;
  /** Called after every batch with images done and total. */
  onProgress?: (done: number, total: number) => void;
  /** Read the running sums (asynchronously) every this many batches, so GPU queues stay short (default 8). */
  readEvery?: number;
  /**
   * Replicas to split each batch over (e.g. `@gcnn/training/node`'s `DataParallelTrainer`, built
   * on `model`): logits come from its `predict`. Same results as without, up to float32 round-off.
   */
  dataParallel?: DataParallel;
}

/** Result of {@link evaluate}. */
export interface EvaluateResult {
  /** Mean per-image cross-entropy. */
  loss: number;
  /** Top-1 accuracy in [0, 1]. */
  accuracy: number;
  correct: number;
  count: number;
  seconds: number;
}

/**
 * Evaluates `model` on `dataset` in inference mode (BatchNorm running statistics, no dropout,
 * cached kernels: the cache is rebuilt once at the start). Sums stay on the device and are read
 * with `await data()` every `readEvery` batches.
 */
export async function evaluate(
  model: TrainableModel,
  dataset: Dataset,
  options: EvaluateOptions,
): Promise<EvaluateResult> {
  const parallel = options.dataParallel;
  if (parallel && parallel.model !== model) {
    throw new Error(
      'Error in evaluate: options.dataParallel must be built on the evaluated model (its replica 0)',
    );
  }
  const start = performance.now();
  model.invalidateCache();
  const hasAug = (options.augmentations?.length ?? 0) > 0;
  let lossSum: tf.Scalar = tf.scalar(0);
  let correctSum: tf.Scalar = tf.scalar(0);
  let done = 0;
  const readEvery = options.readEvery ?? 8;
  try {
    for (const batch of batches(dataset, {
      batchSize: options.batchSize,
      shuffle: false,
      rng: hasAug ? new Xoshiro128(options.seed ?? 0) : undefined,
      normalization: options.normalization,
      augmentations: options.augmentations,
    })) {
      const n = batch.ys.shape[0];
      let logits: tf.Tensor2D;
      try {
        logits = parallel?.predict
          ? await parallel.predict(batch.xs)
          : tf.tidy(() => model.apply(batch.xs, { training: false }));
      } catch (error) {
        tf.dispose([batch.xs, batch.ys]);
        throw error;
      }
      const [l, c] = tf.tidy(
        () =>
          [
            tf.add(lossSum, tf.mul(crossEntropy(logits, batch.ys), n)),
            tf.add(correctSum, correctCount(logits, batch.ys)),
          ] as const,
      );
      logits.dispose();
      tf.dispose([batch.xs, batch.ys, lossSum, correctSum]);
      lossSum = l as tf.Scalar;
      correctSum = c as tf.Scalar;
      done += n;
      if ((batch.batchIndex + 1) % readEvery === 0) await correctSum.data();
      options.onProgress?.(done, dataset.count);
    }
    const [loss, correct] = await Promise.all([lossSum.data(), correctSum.data()]);
    const correctN = Math.round(correct[0] as number);
    return {
      loss: done > 0 ? (loss[0] as number) / done : Number.NaN,
      accuracy: done > 0 ? correctN / done : Number.NaN,
      correct: correctN,
      count: done,
      seconds: (performance.now() - start) / 1000,
    };
  } finally {
    tf.dispose([lossSum, correctSum]);
  }
}
