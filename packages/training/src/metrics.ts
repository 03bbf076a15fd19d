import type { TrainProgress } from './checkpoint';

/** Wall-clock facts of a record; everything outside `time` is deterministic for a given seed. */
export interface RecordTime {
  /** Seconds since the run (or its resumption) started. */
  elapsedSeconds: number;
  /** Training images per second over the last interval. */
  imagesPerSecond?: number;
  /** Seconds the evaluation took. */
  evalSeconds?: number;
}

/** A `step` line of `metrics.jsonl`: the loss read every `printInterval` steps. */
export interface StepRecord {
  type: 'step';
  epoch: number;
  step: number;
  batch: number;
  lr: number;
  /** Loss of this batch. */
  loss: number;
  /** Top-1 accuracy on this batch (training mode). */
  batchAccuracy: number;
  time: RecordTime;
}

/** An `epoch` line of `metrics.jsonl`, written after the epoch's evaluation. */
export interface EpochRecord {
  type: 'epoch';
  epoch: number;
  /** Optimizer steps done at the end of the epoch. */
  step: number;
  lr: number;
  /** Mean batch loss and accuracy over the epoch's training batches (training mode). */
  trainLoss: number;
  trainAccuracy: number;
  /** Mean per-image loss and top-1 accuracy on the test set (inference mode); null when this epoch was not evaluated (`evalEvery`). */
  testLoss: number | null;
  testAccuracy: number | null;
  /** Best test accuracy so far and its epoch (null before the first evaluation). */
  bestTestAccuracy: number | null;
  bestEpoch: number | null;
  /** True when `maxSteps` cut the epoch short. */
  partial?: boolean;
  /** Batches of the run so far whose update was dropped (`onNonFinite: 'skip'`); absent when none. */
  skippedBatches?: number;
  time: RecordTime;
}

/** A line of `metrics.jsonl`. */
export type MetricsRecord = StepRecord | EpochRecord;

/**
 * Whether `record` was written before the checkpoint at `progress` (so a resumed run keeps it and
 * rewrites everything after): step records up to `progress.step`, epoch records of finished
 * epochs before `progress.epoch`.
 */
export function recordPrecedes(record: MetricsRecord, progress: TrainProgress): boolean {
  if (record.type === 'step') return record.step <= progress.step;
  return record.epoch < progress.epoch;
}
