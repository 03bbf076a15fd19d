/**
 * The messages between a `DataParallelTrainer` (main thread, replica 0) and its worker threads,
 * and the layout of the shared memory they exchange weights and gradients through.
 *
 * Shared memory, all in 4-byte elements (float32 or int32 by variable):
 * - `weights`: every variable of the main model (trainable or not) at `offset`; the main thread
 *   writes them before each step or prediction, the workers read them (and write nothing);
 * - `grads[r]` (one per worker): the worker's gradient of each trainable variable at
 *   `gradOffset`; the worker writes, the main thread reads after the worker's `done`;
 * - `control` (Int32): `[0]` the step whose weights are in `weights`, `[r]` the last step whose
 *   gradients worker r wrote. Each side stores with `Atomics.store` after writing and checks with
 *   `Atomics.load` before reading, which orders the plain writes before the reads.
 */

import type { StepOptions } from '../data-parallel';

/** One variable in the shared buffers. */
export interface VariableSlot {
  name: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  trainable: boolean;
  /** Element offset in `weights`. */
  offset: number;
  /** Element count. */
  size: number;
  /** Element offset in each worker's `grads` buffer (trainable variables), else −1. */
  gradOffset: number;
}

/** main → worker: build the replica. */
export interface InitMessage {
  type: 'init';
  /** URL (href) of the app's replica module. */
  module: string;
  modelConfig: unknown;
  data: unknown;
  replica: number;
  replicas: number;
  slots: VariableSlot[];
  weights: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  control: SharedArrayBuffer;
}

/** main → worker: compute the gradients of a shard with the weights of step `step`. */
export interface StepMessage {
  type: 'step';
  step: number;
  /** The model rng's state at the start of the step (every replica starts from it). */
  rngState: number;
  /** Rows `[offset, offset + n)` of a batch of `total`. */
  offset: number;
  total: number;
  /** `[n, h, w, c]` float32 images, row-major. */
  images: Float32Array;
  imageShape: [number, number, number, number];
  /** `[n]` int32 class indices. */
  labels: Int32Array;
  /** The step's memory mode and micro-batches (the main thread's plan). */
  options?: StepOptions;
}

/** main → worker: inference logits of a shard with the weights of version `step`. */
export interface PredictMessage {
  type: 'predict';
  /** The version of the weights in `weights` (as `StepMessage.step`). */
  step: number;
  /** `[n, h, w, c]` float32 images, row-major. */
  images: Float32Array;
  imageShape: [number, number, number, number];
}

export type ToWorker = InitMessage | StepMessage | PredictMessage;

/** worker → main: the replica is built and its variables match `slots`. */
export interface ReadyMessage {
  type: 'ready';
  backend: string;
}

/** worker → main: gradients of step `step` are in the worker's `grads` buffer. */
export interface DoneMessage {
  type: 'done';
  step: number;
  /** Mean cross-entropy of the shard. */
  loss: number;
  /** Top-1 hits of the shard. */
  correct: number;
  /** Per trainable slot (in `slots` order): whether the loss reached it (else its gradient is 0). */
  hasGrad: boolean[];
  /** Milliseconds the worker spent on the step (weights in, forward/backward, gradients out). */
  ms: number;
}

/** worker → main: something failed in the worker (then it computes nothing more). */
export interface ErrorMessage {
  type: 'error';
  message: string;
  stack?: string;
}

/** worker → main: the logits of a `predict`. */
export interface LogitsMessage {
  type: 'logits';
  step: number;
  /** `[n, classes]` float32, row-major (transferred). */
  logits: Float32Array;
  shape: [number, number];
  /** Milliseconds the worker spent (weights in if they changed, forward, logits out). */
  ms: number;
}

export type FromWorker = ReadyMessage | DoneMessage | LogitsMessage | ErrorMessage;

/** Builds the slots of `variables` (in order): weights offsets for all, gradient offsets for trainable ones. */
export function layoutSlots(
  variables: ReadonlyArray<{
    name: string;
    dtype: string;
    shape: readonly number[];
    trainable: boolean;
  }>,
): { slots: VariableSlot[]; weightElements: number; gradElements: number } {
  let offset = 0;
  let gradOffset = 0;
  const slots = variables.map((v): VariableSlot => {
    if (v.dtype !== 'float32' && v.dtype !== 'int32') {
      throw new Error(
        `Error in DataParallelTrainer: variable '${v.name}' has dtype ${v.dtype}; replicas share float32 and int32 variables only`,
      );
    }
    if (v.trainable && v.dtype !== 'float32') {
      throw new Error(
        `Error in DataParallelTrainer: trainable variable '${v.name}' must be float32, got ${v.dtype}`,
      );
    }
    const size = v.shape.reduce((a, b) => a * b, 1);
    const slot: VariableSlot = {
      name: v.name,
      dtype: v.dtype,
      shape: [...v.shape],
      trainable: v.trainable,
      offset,
      size,
      gradOffset: v.trainable ? gradOffset : -1,
    };
    offset += size;
    if (v.trainable) gradOffset += size;
    return slot;
  });
  return { slots, weightElements: offset, gradElements: gradOffset };
}
