/**
 * @file The divergence guard of {@link train}: a loss, gradient or weight that is NaN or ±Infinity
 * stops the run (or, with `onNonFinite: 'skip'`, drops that batch's update) before any
 * non-finite value reaches a checkpoint.
 */
import * as tf from '@tensorflow/tfjs-core';

/** What `train` does with a batch whose loss or gradients are not finite (`config.onNonFinite`). */
export const NONFINITE_POLICIES = ['stop', 'skip'] as const;
export type NonFinitePolicy = (typeof NONFINITE_POLICIES)[number];

/** What is not finite, in a message. */
export const NON_FINITE_STATE = {
  weights: 'the weights are',
  optimizer: "the optimizer's state (its moment estimates) is",
} as const;

/** Where a run was: its step (1-based count of batches done), epoch and batch (0-based), learning rate. */
export interface RunPoint {
  step: number;
  epoch: number;
  batch: number;
  lr: number;
}

/**
 * Thrown by `train` when the run diverged: the training loss of a step was NaN or ±Infinity, or
 * the weights or the optimizer's slots were no longer finite (found before an evaluation or a
 * checkpoint). Nothing is written after it is found, so the latest checkpoint is still the last
 * good state.
 */
export class DivergenceError extends Error {
  override readonly name = 'DivergenceError';

  constructor(
    /** `loss`: a step's training loss; `weights`: a model variable; `optimizer`: an optimizer slot (Adam's moments). */
    readonly what: 'loss' | 'weights' | 'optimizer',
    /** The non-finite loss (NaN, ±Infinity); undefined for `weights` and `optimizer`. */
    readonly value: number | undefined,
    /** The step whose loss it was, or the last step done before the state was checked. */
    readonly at: RunPoint,
    /** Step of the latest `last` checkpoint this run wrote or resumed from; null if none. */
    readonly lastCheckpointStep: number | null,
  ) {
    const found =
      what === 'loss'
        ? `the training loss is ${value} at step ${at.step} (epoch ${at.epoch}, batch ${at.batch}, lr ${at.lr})`
        : `${NON_FINITE_STATE[what]} no longer finite after step ${at.step} (epoch ${at.epoch}, lr ${at.lr})`;
    const kept =
      lastCheckpointStep === null
        ? 'no checkpoint was written'
        : `the last checkpoint (step ${lastCheckpointStep}) is kept`;
    super(
      `Error in train: the run diverged: ${found}; training stopped and ${kept}. Lower the learning rate, or set config.onNonFinite to 'skip' to drop batches with a non-finite loss or gradient`,
    );
  }
}

/**
 * Whether every element of every tensor is finite: one `isFinite`/`all` reduction over the
 * tensors concatenated, read with `await data()` (one device read). Leaves the tensors to the
 * caller.
 */
export async function allFinite(tensors: readonly tf.Tensor[]): Promise<boolean> {
  if (tensors.length === 0) return true;
  const ok = tf.tidy(() => tf.all(tf.isFinite(tf.concat(tensors.map((t) => tf.reshape(t, [-1]))))));
  try {
    return (await ok.data())[0] === 1;
  } finally {
    ok.dispose();
  }
}

/**
 * The training loss of each step since the last read, kept on the device (scalars) so that the
 * hot loop never waits for the device; {@link LossLog.read} reads them all at once (one stacked
 * read) and finds the first non-finite one. What `train` reads every `printInterval` steps,
 * before a checkpoint and at the epoch's end.
 */
export class LossLog {
  /** Most losses kept before a read is forced (bounds the scalars held between reads). */
  static readonly MAX_PENDING = 256;
  private pending: Array<{ loss: tf.Scalar; at: RunPoint }> = [];

  /** Takes ownership of a step's loss. */
  push(loss: tf.Scalar, at: RunPoint): void {
    this.pending.push({ loss, at });
  }

  /** Whether the log holds {@link LossLog.MAX_PENDING} losses and should be read. */
  get full(): boolean {
    return this.pending.length >= LossLog.MAX_PENDING;
  }

  /**
   * Reads and drops the kept losses; returns the last one (undefined if none was kept). Throws a
   * {@link DivergenceError} at the first that is not finite.
   */
  async read(lastCheckpointStep: number | null): Promise<number | undefined> {
    const pending = this.pending;
    if (pending.length === 0) return undefined;
    this.pending = [];
    const stacked = tf.stack(pending.map((p) => p.loss));
    let values: Float32Array;
    try {
      values = (await stacked.data()) as Float32Array;
    } finally {
      tf.dispose([stacked, ...pending.map((p) => p.loss)]);
    }
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      const { at } = pending[bad] as (typeof pending)[number];
      throw new DivergenceError('loss', values[bad], at, lastCheckpointStep);
    }
    return values[values.length - 1];
  }

  dispose(): void {
    tf.dispose(this.pending.map((p) => p.loss));
    this.pending = [];
  }
}
