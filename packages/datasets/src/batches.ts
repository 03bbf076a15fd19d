import { Xoshiro128 } from '@gcnn/lie-groups';
import type { Augmentation } from './augmentation';
import type { Dataset } from './dataset';
import type { Normalization } from './dataset-info';
import { type Batch, toBatch } from './to-batch';

/** Options of {@link batches}. */
export interface BatchesOptions {
  batchSize: number;
  /** Shuffle the order with `rng` (default true when `rng` is given). */
  shuffle?: boolean;
  /**
   * Source of the epoch's randomness. At the start it draws the order (a permutation, if shuffling)
   * and one 32-bit seed for the augmentations; batch `b` augments with `new Xoshiro128(mix(seed, b))`. So
   * saving `rng.getState()` before the epoch and the batch index is enough to resume exactly.
   */
  rng?: Xoshiro128;
  /** Skip the first `startBatch` batches without building them (resume). Default 0. */
  startBatch?: number;
  /** Drop a last incomplete batch. Default false. */
  dropRemainder?: boolean;
  normalization?: Normalization;
  augmentations?: readonly Augmentation[];
}

/** A {@link Batch} and its position in the epoch. */
export interface IndexedBatch extends Batch {
  readonly batchIndex: number;
}

/**
 * Iterates one epoch of `dataset` in batches, built lazily: only the yielded batch exists as tensors,
 * so memory stays bounded for large sets. Each batch's `xs` `[batch, h, w, c]` float32 and `ys`
 * `[batch]` int32 belong to the caller, who disposes them.
 */
export function* batches(
  dataset: Dataset,
  options: BatchesOptions,
): Generator<IndexedBatch, void, undefined> {
  const { batchSize, rng } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`Error in batches: batchSize must be a positive integer, got ${batchSize}`);
  }
  const shuffle = options.shuffle ?? rng !== undefined;
  if ((shuffle || (options.augmentations?.length ?? 0) > 0) && !rng) {
    throw new Error('Error in batches: shuffle and augmentations need options.rng (a Xoshiro128)');
  }
  const order = shuffle
    ? (rng as Xoshiro128).permutation(dataset.count)
    : Int32Array.from({ length: dataset.count }, (_, i) => i);
  const augmentSeed = rng ? rng.nextUint32() : 0;
  const total = options.dropRemainder
    ? Math.floor(dataset.count / batchSize)
    : Math.ceil(dataset.count / batchSize);
  for (let b = options.startBatch ?? 0; b < total; b++) {
    const indices = order.subarray(b * batchSize, Math.min(dataset.count, (b + 1) * batchSize));
    const batchRng = new Xoshiro128((augmentSeed ^ Math.imul(b + 1, 0x9e3779b9)) >>> 0);
    const batch = toBatch(dataset, indices, {
      normalization: options.normalization,
      augmentations: options.augmentations,
      rng: batchRng,
    });
    yield { ...batch, batchIndex: b };
  }
}
