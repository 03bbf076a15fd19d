import { createOptimizer, type OptimizerConfig } from './create-optimizer';
import { type LrSchedule, learningRateAt } from './lr-schedule';
import { NONFINITE_POLICIES, type NonFinitePolicy } from './nonfinite-guard';

/** The largest seed: seeds are unsigned 32-bit integers (the RNGs take them modulo 2³²). */
export const MAX_SEED = 0xffffffff;

/** The JSON training configuration of a run (stored in every checkpoint). */
export interface TrainConfig {
  epochs: number;
  batchSize: number;
  /** Base learning rate (`--learning_rate`). */
  learningRate: number;
  optimizer: OptimizerConfig;
  lrSchedule: LrSchedule;
  /** One seed for model init (set by the caller in the model config), data order, augmentations, dropout and `uniform` sampling; an integer in [0, {@link MAX_SEED}]. */
  seed: number;
  /** Batch size of the evaluations (default `batchSize`). */
  evalBatchSize?: number;
  /** Read the loss (asynchronously) and write a `step` record every this many steps (default 10, the reference's `--print_interval`). */
  printInterval?: number;
  /** Write a mid-epoch `last` checkpoint every this many steps (0 or absent: only at epoch ends). */
  checkpointEvery?: number;
  /** Stop after this many optimizer steps in all (then evaluate, checkpoint and finish). */
  maxSteps?: number;
  /**
   * A batch whose loss or gradients are NaN or ±Infinity: `stop` (default) ends the run with a
   * `DivergenceError` before anything non-finite is written; `skip` drops that batch's update and
   * counts it (`progress.skippedBatches`); weights that are no longer finite stop the run either way.
   */
  onNonFinite?: NonFinitePolicy;
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

/**
 * Throws naming the field if a config value is missing, of the wrong type or out of range (also
 * the optimizer, through `createOptimizer`, and the schedule): a config may come from a file.
 */
export function validateTrainConfig(config: TrainConfig): void {
  const fail = (key: string, expected: string, value: unknown): never => {
    throw new Error(
      `Error in train: config.${key} must be ${expected}, got ${JSON.stringify(value)}`,
    );
  };
  if (typeof config !== 'object' || config === null) fail('', 'an object', config);
  const int = (key: keyof TrainConfig, min: number, max: number, optional: boolean) => {
    const v = config[key];
    if (optional && v === undefined) return;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      fail(
        key,
        max !== Infinity
          ? `an integer in [${min}, ${max}]`
          : min === 1
            ? 'a positive integer'
            : `an integer ≥ ${min}`,
        v,
      );
  };
  int('epochs', 1, Infinity, false);
  int('batchSize', 1, Infinity, false);
  int('evalBatchSize', 1, Infinity, true);
  int('printInterval', 1, Infinity, true);
  int('maxSteps', 1, Infinity, true);
  int('accumulateSteps', 1, Infinity, true);
  int('checkpointEvery', 0, Infinity, true);
  int('evalEvery', 0, Infinity, true);
  int('seed', 0, MAX_SEED, false);
  const lr = config.learningRate;
  if (typeof lr !== 'number' || !(Number.isFinite(lr) && lr >= 0))
    fail('learningRate', 'a finite number ≥ 0', lr);
  if (config.memory !== undefined && !(MEMORY_MODES as readonly string[]).includes(config.memory))
    fail('memory', `one of ${MEMORY_MODES.join(', ')}`, config.memory);
  if (config.onNonFinite !== undefined && !NONFINITE_POLICIES.includes(config.onNonFinite))
    fail('onNonFinite', `one of ${NONFINITE_POLICIES.join(', ')}`, config.onNonFinite);
  if (typeof config.optimizer !== 'object' || config.optimizer === null)
    fail('optimizer', 'an object { name, … }', config.optimizer);
  const inner = (key: string, check: () => unknown) => {
    try {
      check();
    } catch (error) {
      const message = (error as Error).message.replace(/^Error in [\w.]+: /, '');
      throw new Error(`Error in train: config.${key}: ${message}`);
    }
  };
  inner('optimizer', () => createOptimizer(config.optimizer)); // no tensor: slots come with the first step
  inner('lrSchedule', () => learningRateAt(config.lrSchedule, lr, 0));
  if (config.dataset !== undefined && (typeof config.dataset !== 'object' || !config.dataset))
    fail('dataset', 'an object { id, … }', config.dataset);
}
