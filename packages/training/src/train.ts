import { type Augmentation, batches, type Dataset, type Normalization } from '@gcnn/datasets';
import { createRng, type Rng, Xoshiro128 } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';
import {
  type CheckpointKind,
  type EncodedCheckpoint,
  encodeCheckpoint,
  type LoadedCheckpoint,
  loadModelWeights,
  type TrainProgress,
} from './checkpoint';
import { createOptimizer } from './create-optimizer';
import { batchGradients, type DataParallel, type StepGradients } from './data-parallel';
import { type EvaluateResult, evaluate } from './evaluate';
import { learningRateAt } from './lr-schedule';
import type { EpochRecord, MetricsRecord, StepRecord } from './metrics';
import type { Optimizer } from './optimizer';
import { type RunMemory, runMemory } from './run-memory';
import type { StepPlan } from './step-plan';
import { type TrainConfig, validateTrainConfig } from './train-config';
import type { TrainableModel } from './trainable-model';

/** Where a run's checkpoints and metrics go (e.g. `@gcnn/training/node`'s `RunDirectory`). */
export interface TrainSink {
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
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const run = await startRun(options);
  const epochs: EpochRecord[] = [];
  try {
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
    batchesPerEpoch,
    totalSteps: Math.min(config.epochs * batchesPerEpoch, config.maxSteps ?? Infinity),
    elapsed: () => (performance.now() - start) / 1000,
  };
  if (options.resume) {
    const { manifest } = options.resume;
    loadModelWeights(model, options.resume, `${manifest.kind} checkpoint`);
    run.optimizer.setState(manifest.optimizer, options.resume.optimizer);
    // A run stopped by maxSteps continues under the new config; one past its last epoch stays done.
    run.progress = { ...structuredClone(manifest.progress), finished: false };
    run.modelRng.setState(run.progress.modelRng);
    run.lastEpochRecord = manifest.metrics;
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
  if (kind === 'last') run.memory.checkpointed(run.progress.step);
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
  const lr = learningRateAt(config.lrSchedule, config.learningRate, epoch);
  run.dataRng.setState(run.progress.epochStartRng);
  const sums = new EpochSums(run.progress.epochSums);
  const meter = new StepMeter();
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
      const stepLr =
        config.lrSchedule.kind === 'cosine-steps'
          ? learningRateAt(
              config.lrSchedule,
              config.learningRate,
              epoch,
              batch.batchIndex / run.batchesPerEpoch,
            )
          : lr;
      const { loss, correct } = await trainStep(run, options, batch, stepLr);
      sums.add(loss, correct, n);
      meter.count(n);
      run.progress = {
        ...run.progress,
        nextBatch: batch.batchIndex + 1,
        step: run.progress.step + 1,
        modelRng: run.modelRng.getState(),
      };
      try {
        if (run.progress.step % (config.printInterval ?? 10) === 0) {
          await options.sink?.metrics?.(
            await meter.stepRecord(run, batch.batchIndex, stepLr, loss, correct, n),
          );
        }
      } finally {
        tf.dispose([loss, correct]);
      }
      await options.onStep?.({
        epoch,
        batch: batch.batchIndex,
        batchesPerEpoch: run.batchesPerEpoch,
        step: run.progress.step,
        totalSteps: run.totalSteps,
        lr: stepLr,
        loss: meter.loss,
        imagesPerSecond: meter.imagesPerSecond,
      });
      stopped =
        run.progress.step >= (config.maxSteps ?? Infinity) || options.signal?.aborted === true;
      const epochDone = batch.batchIndex + 1 >= run.batchesPerEpoch;
      const checkpointEvery = config.checkpointEvery ?? 0;
      if (
        !stopped &&
        !epochDone &&
        checkpointEvery > 0 &&
        run.progress.step % checkpointEvery === 0
      ) {
        run.progress = { ...run.progress, epochSums: await sums.read() };
        await saveCheckpoint(run, options, 'last');
      }
      if (stopped) break;
    }
    run.progress = { ...run.progress, epochSums: await sums.read() };
  } finally {
    sums.dispose();
  }
  return stopped;
}

/**
 * One optimizer step on a batch: the loss and gradients (here, or over `dataParallel`'s
 * replicas), then the update. Disposes the batch and the gradients; the loss and hits (scalars)
 * are the caller's.
 */
async function trainStep(
  run: TrainRun,
  options: TrainOptions,
  batch: { xs: tf.Tensor4D; ys: tf.Tensor1D },
  lr: number,
): Promise<{ loss: tf.Scalar; correct: tf.Scalar }> {
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
  try {
    const params = model.namedVariables().filter(([, v]) => v.trainable);
    run.optimizer.apply(params, step.grads, lr);
  } catch (error) {
    tf.dispose([step.loss, step.correct]);
    throw error;
  } finally {
    tf.dispose(Object.values(step.grads));
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

  /** Reads the step's loss and hits (asynchronously) into a `step` record; restarts the throughput interval. */
  async stepRecord(
    run: TrainRun,
    batch: number,
    lr: number,
    loss: tf.Scalar,
    correct: tf.Scalar,
    n: number,
  ): Promise<StepRecord> {
    const [l, c] = await Promise.all([loss.data(), correct.data()]);
    this.loss = l[0] as number;
    const now = performance.now();
    this.imagesPerSecond = (this.intervalImages * 1000) / Math.max(1e-9, now - this.intervalStart);
    this.intervalStart = now;
    this.intervalImages = 0;
    return {
      type: 'step',
      epoch: run.progress.epoch,
      step: run.progress.step,
      batch,
      lr,
      loss: this.loss,
      batchAccuracy: (c[0] as number) / n,
      time: { elapsedSeconds: run.elapsed(), imagesPerSecond: this.imagesPerSecond },
    };
  }
}
