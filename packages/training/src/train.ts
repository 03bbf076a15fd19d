import { type Augmentation, batches, type Dataset, type Normalization } from '@gcnn/datasets';
import { createRng, type Rng, Xoshiro128 } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';
import {
  type CheckpointKind,
  type EncodedCheckpoint,
  encodeCheckpoint,
  type LoadedCheckpoint,
  type TrainProgress,
} from './checkpoint';
import { createOptimizer } from './create-optimizer';
import { batchGradients, type DataParallel, type StepGradients } from './data-parallel';
import { type EvaluateResult, evaluate } from './evaluate';
import { learningRateAt } from './lr-schedule';
import type { EpochRecord, MetricsRecord, StepRecord } from './metrics';
import { allFinite, DivergenceError, LossLog, type RunPoint } from './nonfinite-guard';
import type { Optimizer } from './optimizer';
import { restoreCheckpoint } from './restore-checkpoint';
import { type RunMemory, runMemory } from './run-memory';
import type { StepPlan } from './step-plan';
import { type TrainConfig, validateTrainConfig } from './train-config';
import type { TrainableModel } from './trainable-model';

/** Where a run's checkpoints and metrics go (e.g. `@gcnn/training/node`'s `RunDirectory`). */
export interface TrainSink {
  /**
   * Called once the run's state is set up (a resumed checkpoint checked and applied) and before
   * anything is written: a resumed run (`resumedAt`: its checkpoint's progress) drops the records
   * written after its checkpoint, a new one writes its config. A failed resume never reaches it.
   */
  begin?(resumedAt: TrainProgress | undefined): Promise<void>;
  /** Persists a checkpoint (atomically). Called for `last` (every `checkpointEvery` steps and each epoch end) and `best`. */
  checkpoint?(checkpoint: EncodedCheckpoint): Promise<void>;
  /** Appends a metrics record. */
  metrics?(record: MetricsRecord): Promise<void>;
}

/** Progress of one training step, for progress bars. */
export interface StepEvent {
  epoch: number;
  /** Batch index within the epoch and batches per epoch. */
  batch: number;
  batchesPerEpoch: number;
  /** Steps done in the run, and the total the run will do. */
  step: number;
  totalSteps: number;
  lr: number;
  /** The latest loss read (every `printInterval` steps), or undefined before the first read. */
  loss: number | undefined;
  /** Training images per second since the last read. */
  imagesPerSecond: number | undefined;
}

/** Options of {@link train}. */
export interface TrainOptions {
  model: TrainableModel;
  trainSet: Dataset;
  testSet: Dataset;
  config: TrainConfig;
  /** Per-channel normalization of both sets (`DATASET_INFO[id].normalization`). */
  normalization?: Normalization;
  /** Training augmentations (applied in JS by `batches`). */
  augmentations?: readonly Augmentation[];
  /** Test-time augmentations (CIFAR10-rot). */
  testAugmentations?: readonly Augmentation[];
  /** Continue from this checkpoint (`kind: 'last'`): weights, optimizer, RNG states, position, metrics sums. */
  resume?: LoadedCheckpoint;
  /** Model config recorded in checkpoints (default `model.config`). */
  modelConfig?: unknown;
  sink?: TrainSink;
  /** Called after every step; may return a promise (awaited). */
  onStep?: (event: StepEvent) => void | Promise<void>;
  /** Called after each epoch's evaluation. */
  onEpoch?: (record: EpochRecord) => void | Promise<void>;
  /** Called when an evaluation starts and after each of its batches. */
  onEvalProgress?: (done: number, total: number, epoch: number) => void;
  /** Stops after the current step (then evaluates and checkpoints, as for `maxSteps`). */
  signal?: AbortSignal;
  /**
   * Data-parallel training: each step's loss and gradients come from these replicas of `model`
   * (`@gcnn/training/node`'s `createDataParallelTrainer`; its `model` must be this `model`); the
   * optimizer step, evaluation and checkpoints stay here. Default: the whole batch in this thread.
   * With more than one replica a step equals the single-thread step up to float32 round-off for
   * models without batch statistics; batch norm normalises each shard by its own statistics and
   * keeps replica 0's running statistics (see `DataParallelTrainer`). The caller closes it.
   */
  dataParallel?: DataParallel;
  /**
   * Bytes one thread may use (the wasm backend: 4 GiB per thread; else a share of the machine):
   * with the model's `estimateStepBytes`, `planStep` chooses before the first step how each step
   * is computed (memory mode, micro-batches), or throws a `StepMemoryError` naming the rows per
   * thread that fit. Absent: `config.memory` (default lean) and `config.accumulateSteps` as given.
   */
  memoryLimitBytes?: number;
  /** Called once before the first step with the chosen {@link StepPlan} (e.g. to print it). */
  onPlan?: (plan: StepPlan) => void | Promise<void>;
}

/** Result of {@link train}. */
export interface TrainResult {
  /** Epoch records of this call (a resumed run: only the epochs it ran). */
  epochs: EpochRecord[];
  /** The last evaluation (undefined if the run was already finished). */
  final: EpochRecord | undefined;
  progress: TrainProgress;
  /** Wall-clock seconds of this call. */
  seconds: number;
}

/** Seed of the model's RNG (dropout, `uniform` sampling), derived from the run seed. */
export function modelRngSeed(seed: number): number {
  return (Math.imul(seed >>> 0, 0x2545f491) ^ 0x5bd1e995) >>> 0;
}

/**
 * Trains `model` as the reference's `train()` (reference §7.2): for each epoch, shuffled batches
 * (`batches` with a seeded `Xoshiro128`), forward in training mode inside the gradient tape, softmax
 * cross-entropy, optimizer step (learning rate from the schedule, stepped per epoch), then an
 * evaluation on the test set in inference mode. Reproducible: `config.seed` fixes data order,
 * augmentations, dropout and `uniform` sampling (model initialisation is seeded by the model
 * config); a run resumed from any of its checkpoints produces the same metrics records.
 *
 * The hot loop never reads the device synchronously: losses and accuracies are summed on the
 * device and read with `await data()` every `printInterval` steps, at checkpoints and epoch ends.
 *
 * Divergence guard: every step's loss is kept on the device until that read, which throws a
 * {@link DivergenceError} at the first non-finite one; the weights and the optimizer's slots are
 * checked before every evaluation and checkpoint. So nothing non-finite is ever written, and the latest checkpoint
 * stays the last good state. With `config.onNonFinite: 'skip'` each step instead reads whether
 * its loss and gradients are finite (one read per step) and drops the update of a batch where
 * they are not, counting it in `progress.skippedBatches`.
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const run = await startRun(options);
  const epochs: EpochRecord[] = [];
  try {
    await options.sink?.begin?.(options.resume?.manifest.progress);
    while (!run.progress.finished && run.progress.epoch < options.config.epochs) {
      const stopped = await runEpoch(run, options);
      epochs.push(await endEpoch(run, options, stopped));
      if (stopped) break;
    }
  } catch (error) {
    throw run.memory.failure(error);
  } finally {
    run.optimizer.dispose();
  }
  return { epochs, final: epochs.at(-1), progress: run.progress, seconds: run.elapsed() };
}

/** The state of a run between steps: what a checkpoint saves, and the counts every step needs. */
interface TrainRun {
  optimizer: Optimizer;
  /** The step plan, and what an out-of-memory error says. */
  memory: RunMemory;
  /** Data order and augmentations; restored at each epoch start from `progress.epochStartRng`. */
  dataRng: Xoshiro128;
  /** The model's randomness (dropout, `uniform` sampling). */
  modelRng: Rng;
  progress: TrainProgress;
  /** The latest epoch record (saved with checkpoints). */
  lastEpochRecord: EpochRecord | null;
  /** Where the latest step was (for the divergence guard's messages). */
  lastStep: RunPoint | null;
  /** Step of the latest `last` checkpoint written or resumed from; null if none. */
  lastCheckpointStep: number | null;
  batchesPerEpoch: number;
  totalSteps: number;
  /** Seconds since `train` was called. */
  elapsed: () => number;
}

/**
 * Checks the options, plans the steps (`runMemory`) and sets up the optimizer, the RNGs and the
 * position: fresh, or from `resume`.
 */
async function startRun(options: TrainOptions): Promise<TrainRun> {
  const { model, trainSet, config } = options;
  validateTrainConfig(config);
  const start = performance.now();
  if (options.dataParallel && options.dataParallel.model !== model) {
    throw new Error(
      'Error in train: options.dataParallel must be built on options.model (its replica 0 is the model the optimizer updates)',
    );
  }
  const memory = await runMemory(
    options,
    options.modelConfig ?? model.config,
    () => run.progress.step,
    () => run.lastCheckpointStep,
  );
  const batchesPerEpoch = Math.ceil(trainSet.count / config.batchSize);
  const dataRng = new Xoshiro128(config.seed);
  const modelRng = createRng(modelRngSeed(config.seed));
  const run: TrainRun = {
    optimizer: createOptimizer(config.optimizer),
    memory,
    dataRng,
    modelRng,
    progress: {
      epoch: 0,
      nextBatch: 0,
      step: 0,
      epochStartRng: dataRng.getState(),
      modelRng: modelRng.getState(),
      epochSums: { loss: 0, correct: 0, seen: 0, batches: 0 },
      best: null,
      finished: false,
    },
    lastEpochRecord: null,
    lastStep: null,
    lastCheckpointStep: null,
    batchesPerEpoch,
    totalSteps: Math.min(config.epochs * batchesPerEpoch, config.maxSteps ?? Infinity),
    elapsed: () => (performance.now() - start) / 1000,
  };
  if (options.resume) {
    const { manifest } = options.resume;
    restoreCheckpoint(model, run.optimizer, options.resume, batchesPerEpoch);
    // A run stopped by maxSteps continues under the new config; one past its last epoch stays done.
    run.progress = { ...structuredClone(manifest.progress), finished: false };
    run.modelRng.setState(run.progress.modelRng);
    run.lastEpochRecord = manifest.metrics;
    run.lastCheckpointStep = manifest.progress.step;
  }
  return run;
}

/** Writes a `last` or `best` checkpoint of the run to the sink (if it takes checkpoints). */
async function saveCheckpoint(run: TrainRun, options: TrainOptions, kind: CheckpointKind) {
  const { sink, model } = options;
  if (!sink?.checkpoint) return;
  const encoded = await encodeCheckpoint({
    kind,
    weightsFile: `${kind}-step${String(run.progress.step).padStart(8, '0')}.weights.bin`,
    modelConfig: options.modelConfig ?? model.config,
    train: options.config,
    progress: run.progress,
    optimizer: run.optimizer.getState(),
    metrics: run.lastEpochRecord,
    modelVariables: model.namedVariables(),
    optimizerSlots: run.optimizer.slots(),
  });
  await sink.checkpoint(encoded);
  if (kind === 'last') run.lastCheckpointStep = run.progress.step;
}

/**
 * Throws a {@link DivergenceError} unless every model variable and optimizer slot is finite (one
 * device read; Adam's `exp_avg_sq` overflows to Infinity before the weights do).
 */
async function checkFiniteState(run: TrainRun, options: TrainOptions): Promise<void> {
  const weights = options.model.namedVariables().map(([, v]) => v);
  if (await allFinite([...weights, ...run.optimizer.slots().map(([, v]) => v)])) return;
  const what = (await allFinite(weights)) ? 'optimizer' : 'weights';
  const { step, epoch } = run.progress;
  const at = run.lastStep ?? { step, epoch, batch: 0, lr: options.config.learningRate };
  throw new DivergenceError(what, undefined, at, run.lastCheckpointStep);
}

/**
 * The training steps of one epoch, from `progress.nextBatch` on: each step's gradients and
 * optimizer update, the running sums, a `step` record every `printInterval` steps and a `last`
 * checkpoint every `checkpointEvery` steps. Returns whether the run was stopped (`maxSteps`,
 * `signal`) before the epoch's end.
 */
async function runEpoch(run: TrainRun, options: TrainOptions): Promise<boolean> {
  const { config } = options;
  const epoch = run.progress.epoch;
  run.dataRng.setState(run.progress.epochStartRng);
  const reads: EpochReads = {
    sums: new EpochSums(run.progress.epochSums),
    losses: new LossLog(),
    meter: new StepMeter(),
  };
  let stopped = false;
  run.memory.enter('training step');
  try {
    for (const batch of batches(options.trainSet, {
      batchSize: config.batchSize,
      rng: run.dataRng,
      startBatch: run.progress.nextBatch,
      normalization: options.normalization,
      augmentations: options.augmentations,
    })) {
      const n = batch.ys.shape[0];
      const at: RunPoint = {
        step: run.progress.step + 1,
        epoch,
        batch: batch.batchIndex,
        lr: stepLearningRate(config, epoch, batch.batchIndex / run.batchesPerEpoch),
      };
      const step = await trainStep(run, options, batch, at);
      const skipped =
        step === null ? { skippedBatches: (run.progress.skippedBatches ?? 0) + 1 } : {};
      run.progress = {
        ...run.progress,
        nextBatch: batch.batchIndex + 1,
        step: at.step,
        modelRng: run.modelRng.getState(),
        ...skipped,
      };
      run.lastStep = at;
      await recordStep(run, options, reads, step, at, n);
      await options.onStep?.({
        ...at,
        batchesPerEpoch: run.batchesPerEpoch,
        totalSteps: run.totalSteps,
        loss: reads.meter.loss,
        imagesPerSecond: reads.meter.imagesPerSecond,
      });
      stopped = at.step >= (config.maxSteps ?? Infinity) || options.signal?.aborted === true;
      const epochDone = batch.batchIndex + 1 >= run.batchesPerEpoch;
      const every = config.checkpointEvery ?? 0;
      if (!stopped && !epochDone && every > 0 && at.step % every === 0) {
        await readEpochSums(run, reads);
        await checkFiniteState(run, options);
        await saveCheckpoint(run, options, 'last');
      }
      if (stopped) break;
    }
    await readEpochSums(run, reads);
  } finally {
    reads.sums.dispose();
    reads.losses.dispose();
  }
  return stopped;
}

/** What an epoch keeps on the device between reads: the running sums and each step's loss. */
interface EpochReads {
  sums: EpochSums;
  losses: LossLog;
  meter: StepMeter;
}

/** The learning rate of a step at `epoch + fraction` (per step for `cosine-steps`, else per epoch). */
function stepLearningRate(config: TrainConfig, epoch: number, fraction: number): number {
  const { lrSchedule, learningRate } = config;
  return lrSchedule.kind === 'cosine-steps'
    ? learningRateAt(lrSchedule, learningRate, epoch, fraction)
    : learningRateAt(lrSchedule, learningRate, epoch);
}

/**
 * Adds a step's loss and hits to the epoch's sums and keeps its loss for the divergence guard
 * (a skipped step, `null`, adds nothing); every `printInterval` steps reads the kept losses
 * (throwing at a non-finite one) and writes the `step` record. Disposes the step's hits.
 */
async function recordStep(
  run: TrainRun,
  options: TrainOptions,
  reads: EpochReads,
  step: { loss: tf.Scalar; correct: tf.Scalar } | null,
  at: RunPoint,
  n: number,
): Promise<void> {
  reads.meter.count(n);
  if (step === null) return;
  try {
    reads.sums.add(step.loss, step.correct, n);
    reads.losses.push(step.loss, at);
    if (at.step % (options.config.printInterval ?? 10) === 0) {
      const loss = (await reads.losses.read(run.lastCheckpointStep)) as number;
      const record = await reads.meter.stepRecord(run, at, loss, step.correct, n);
      await options.sink?.metrics?.(record);
    } else if (reads.losses.full) {
      await reads.losses.read(run.lastCheckpointStep);
    }
  } finally {
    step.correct.dispose();
  }
}

/** Reads the kept losses (the divergence guard) and the epoch's sums into `progress`. */
async function readEpochSums(run: TrainRun, reads: EpochReads): Promise<void> {
  await reads.losses.read(run.lastCheckpointStep);
  run.progress = { ...run.progress, epochSums: await reads.sums.read() };
}

/**
 * One optimizer step on a batch: the loss and gradients (here, or over `dataParallel`'s
 * replicas), then the update. With `onNonFinite: 'skip'`, a batch whose loss or gradients are
 * not finite gets no update and returns null (after checking that the weights themselves are
 * still finite: skipping cannot mend those). Disposes the batch and the gradients; the loss and
 * hits (scalars) are the caller's.
 */
async function trainStep(
  run: TrainRun,
  options: TrainOptions,
  batch: { xs: tf.Tensor4D; ys: tf.Tensor1D },
  at: RunPoint,
): Promise<{ loss: tf.Scalar; correct: tf.Scalar } | null> {
  const { model, dataParallel } = options;
  let step: StepGradients;
  try {
    const { stepOptions } = run.memory;
    step = dataParallel
      ? await dataParallel.computeGradients(batch.xs, batch.ys, run.modelRng, stepOptions)
      : batchGradients(model, batch.xs, batch.ys, run.modelRng, undefined, stepOptions);
  } finally {
    tf.dispose([batch.xs, batch.ys]);
  }
  const grads = Object.values(step.grads);
  if (options.config.onNonFinite === 'skip' && !(await allFinite([step.loss, ...grads]))) {
    tf.dispose([step.loss, step.correct, ...grads]);
    run.lastStep = at;
    await checkFiniteState(run, options);
    return null;
  }
  try {
    const params = model.namedVariables().filter(([, v]) => v.trainable);
    run.optimizer.apply(params, step.grads, at.lr);
  } catch (error) {
    tf.dispose([step.loss, step.correct]);
    throw error;
  } finally {
    tf.dispose(grads);
  }
  return { loss: step.loss, correct: step.correct };
}

/**
 * The end of an epoch (or of a stopped run): the evaluation when due (every `evalEvery` epochs, the
 * last epoch, a partial one), the epoch record, the new position and best accuracy, and the
 * checkpoints (`best` when the accuracy improved, then `last`).
 */
async function endEpoch(
  run: TrainRun,
  options: TrainOptions,
  stopped: boolean,
): Promise<EpochRecord> {
  const { config } = options;
  const { progress } = run;
  const epoch = progress.epoch;
  const evalEvery = config.evalEvery ?? 1;
  const partial = progress.nextBatch < run.batchesPerEpoch;
  const lastEpoch = epoch + 1 >= config.epochs;
  const due = partial || stopped || lastEpoch || (evalEvery > 0 && (epoch + 1) % evalEvery === 0);
  await checkFiniteState(run, options); // never evaluate or save a non-finite state
  if (due) run.memory.enter('evaluation');
  const result = due ? await evaluateEpoch(options, epoch) : null;
  const improved =
    result !== null && (progress.best === null || result.accuracy > progress.best.testAccuracy);
  const best = improved && result ? { testAccuracy: result.accuracy, epoch } : progress.best;
  const record = epochRecord(run, options, result, best, partial);
  run.lastEpochRecord = record;
  await options.sink?.metrics?.(record);
  await options.onEpoch?.(record);
  // maxSteps or abort inside the epoch: keep the position so a resume continues it.
  run.progress = partial
    ? { ...progress, best, finished: true }
    : {
        ...progress,
        epoch: epoch + 1,
        nextBatch: 0,
        epochStartRng: run.dataRng.getState(),
        epochSums: { loss: 0, correct: 0, seen: 0, batches: 0 },
        best,
        finished: lastEpoch || stopped,
      };
  if (improved) await saveCheckpoint(run, options, 'best');
  await saveCheckpoint(run, options, 'last');
  return record;
}

/** The test set's loss and accuracy after `epoch` (inference mode, kernels cached). */
function evaluateEpoch(options: TrainOptions, epoch: number): Promise<EvaluateResult> {
  const { config, testSet } = options;
  options.onEvalProgress?.(0, testSet.count, epoch);
  return evaluate(options.model, testSet, {
    batchSize: config.evalBatchSize ?? config.batchSize,
    normalization: options.normalization,
    augmentations: options.testAugmentations,
    seed: (config.seed ^ Math.imul(epoch + 1, 0x9e3779b9)) >>> 0,
    onProgress: (done, total) => options.onEvalProgress?.(done, total, epoch),
    ...(options.dataParallel ? { dataParallel: options.dataParallel } : {}),
  });
}

/** The `epoch` record of the run's current epoch. */
function epochRecord(
  run: TrainRun,
  options: TrainOptions,
  result: EvaluateResult | null,
  best: TrainProgress['best'],
  partial: boolean,
): EpochRecord {
  const { epoch, step, epochSums: s } = run.progress;
  const { lrSchedule, learningRate } = options.config;
  return {
    type: 'epoch',
    epoch,
    step,
    lr: learningRateAt(lrSchedule, learningRate, epoch),
    trainLoss: s.batches > 0 ? s.loss / s.batches : Number.NaN,
    trainAccuracy: s.seen > 0 ? s.correct / s.seen : Number.NaN,
    testLoss: result?.loss ?? null,
    testAccuracy: result?.accuracy ?? null,
    bestTestAccuracy: best?.testAccuracy ?? null,
    bestEpoch: best?.epoch ?? null,
    ...(partial ? { partial: true } : {}),
    ...(run.progress.skippedBatches ? { skippedBatches: run.progress.skippedBatches } : {}),
    time: {
      elapsedSeconds: run.elapsed(),
      ...(result ? { evalSeconds: result.seconds } : {}),
    },
  };
}

/**
 * An epoch's running loss and hit sums, kept on the device (no synchronous reads in the hot loop)
 * and restored exactly from a checkpoint's numbers.
 */
class EpochSums {
  private loss: tf.Scalar;
  private correct: tf.Scalar;
  private seen: number;
  private batches: number;

  constructor(from: TrainProgress['epochSums']) {
    this.loss = tf.scalar(from.loss);
    this.correct = tf.scalar(from.correct);
    this.seen = from.seen;
    this.batches = from.batches;
  }

  /** Adds one batch of `n` images: its mean loss and its hits. */
  add(loss: tf.Scalar, correct: tf.Scalar, n: number): void {
    const newLoss = tf.add(this.loss, loss) as tf.Scalar;
    const newCorrect = tf.add(this.correct, correct) as tf.Scalar;
    tf.dispose([this.loss, this.correct]);
    this.loss = newLoss;
    this.correct = newCorrect;
    this.seen += n;
    this.batches += 1;
  }

  /** The sums as numbers (read asynchronously), as a checkpoint records them. */
  async read(): Promise<TrainProgress['epochSums']> {
    const [l, c] = await Promise.all([this.loss.data(), this.correct.data()]);
    return {
      loss: l[0] as number,
      correct: c[0] as number,
      seen: this.seen,
      batches: this.batches,
    };
  }

  dispose(): void {
    tf.dispose([this.loss, this.correct]);
  }
}

/** The latest loss read and the training throughput since the read before, within an epoch. */
class StepMeter {
  /** The latest loss read, undefined before the epoch's first read. */
  loss: number | undefined;
  imagesPerSecond: number | undefined;
  private intervalStart = performance.now();
  private intervalImages = 0;

  /** Counts a step's images towards the throughput. */
  count(n: number): void {
    this.intervalImages += n;
  }

  /** A `step` record of the step at `at` with its loss (already read) and hits (read here); restarts the throughput interval. */
  async stepRecord(
    run: TrainRun,
    at: RunPoint,
    loss: number,
    correct: tf.Scalar,
    n: number,
  ): Promise<StepRecord> {
    const c = await correct.data();
    this.loss = loss;
    const now = performance.now();
    this.imagesPerSecond = (this.intervalImages * 1000) / Math.max(1e-9, now - this.intervalStart);
    this.intervalStart = now;
    this.intervalImages = 0;
    return {
      type: 'step',
      epoch: at.epoch,
      step: at.step,
      batch: at.batch,
      lr: at.lr,
      loss,
      batchAccuracy: (c[0] as number) / n,
      time: { elapsedSeconds: run.elapsed(), imagesPerSecond: this.imagesPerSecond },
    };
  }
}
