import type { OptimizerConfig } from './create-optimizer';
import type { LrSchedule } from './lr-schedule';

/** The JSON training configuration of a run (stored in every checkpoint). */
export interface TrainConfig {
  epochs: number;
  batchSize: number;
  /** Base learning rate (`--learning_rate`). */
  learningRate: number;
  optimizer: OptimizerConfig;
  lrSchedule: LrSchedule;
  /** One seed for model init (set by the caller in the model config), data order, augmentations, dropout and `uniform` sampling. */
  seed: number;
  /** Batch size of the evaluations (default `batchSize`). */
  evalBatchSize?: number;
  /** Read the loss (asynchronously) and write a `step` record every this many steps (default 10, the reference's `--print_interval`). */
  printInterval?: number;
  /** Write a mid-epoch `last` checkpoint every this many steps (0 or absent: only at epoch ends). */
  checkpointEvery?: number;
  /** Stop after this many optimizer steps in all (then evaluate, checkpoint and finish). */
  maxSteps?: number;
  /** Evaluate on the test set every this many epochs (default 1; 0: only after the last epoch). The last epoch is always evaluated. */
  evalEvery?: number;
  /**
   * What a training forward keeps for the backward pass (`@gcnn/models`' `TrainingMemory`);
   * `auto` (default): `lean`, or `checkpoint` when `lean` does not fit the memory limit.
   */
  memory?: (typeof MEMORY_MODES)[number];
  /**
   * Micro-batches per thread whose gradients are accumulated into one optimizer step (batch
   * statistics per micro-batch). Default: 1, or as few as fit the memory limit.
   */
  accumulateSteps?: number;
  /** The data the run trains on, recorded for `evaluate`/`resume` (the trainer itself does not read it). */
  dataset?: {
    id: string;
    dataDir?: string;
    limitTrain?: number;
    limitTest?: number;
    augment?: boolean;
  };
}

/** The values of {@link TrainConfig.memory}: `auto`, then `@gcnn/models`' `TrainingMemory` modes. */
export const MEMORY_MODES = ['auto', 'lean', 'checkpoint', 'autodiff'] as const;

/** Throws naming the field if a config value is out of range. */
export function validateTrainConfig(config: TrainConfig): void {
  const positiveInt = (key: string, v: number | undefined, optional = false) => {
    if (optional && v === undefined) return;
    if (!Number.isInteger(v) || (v as number) < 1) {
      throw new Error(`Error in train: config.${key} must be a positive integer, got ${v}`);
    }
  };
  positiveInt('epochs', config.epochs);
  positiveInt('batchSize', config.batchSize);
  positiveInt('evalBatchSize', config.evalBatchSize, true);
  positiveInt('printInterval', config.printInterval, true);
  positiveInt('maxSteps', config.maxSteps, true);
  positiveInt('accumulateSteps', config.accumulateSteps, true);
  if (config.memory !== undefined && !(MEMORY_MODES as readonly string[]).includes(config.memory)) {
    throw new Error(
      `Error in train: config.memory must be one of ${MEMORY_MODES.join(', ')}, got ${JSON.stringify(config.memory)}`,
    );
  }
  if (
    config.checkpointEvery !== undefined &&
    (!Number.isInteger(config.checkpointEvery) || config.checkpointEvery < 0)
  ) {
    throw new Error(
      `Error in train: config.checkpointEvery must be an integer ≥ 0, got ${config.checkpointEvery}`,
    );
  }
  if (
    config.evalEvery !== undefined &&
    (!Number.isInteger(config.evalEvery) || config.evalEvery < 0)
  ) {
    throw new Error(
      `Error in train: config.evalEvery must be an integer ≥ 0, got ${config.evalEvery}`,
    );
  }
  if (!(Number.isFinite(config.learningRate) && config.learningRate >= 0)) {
    throw new Error(
      `Error in train: config.learningRate must be a finite number ≥ 0, got ${config.learningRate}`,
    );
  }
  if (!Number.isInteger(config.seed)) {
    throw new Error(`Error in train: config.seed must be an integer, got ${config.seed}`);
  }
}
