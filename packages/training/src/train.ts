import { type Augmentation, batches, type Dataset, type Normalization } from '@gcnn/datasets';
import { createRng, Xoshiro128 } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';
import {
  type EncodedCheckpoint,
  encodeCheckpoint,
  type LoadedCheckpoint,
  loadModelWeights,
  type TrainProgress,
} from './checkpoint';
import { createOptimizer } from './create-optimizer';
import { batchGradients, type DataParallel, type StepGradients } from './data-parallel';
import { evaluate } from './evaluate';
import { learningRateAt } from './lr-schedule';
import type { EpochRecord, MetricsRecord, StepRecord } from './metrics';
import type { Optimizer } from './optimizer';
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
  const { model, trainSet, testSet, config, sink } = options;
  validateTrainConfig(config);
  const start = performance.now();
  const elapsed = () => (performance.now() - start) / 1000;
  const printInterval = config.printInterval ?? 10;
  const checkpointEvery = config.checkpointEvery ?? 0;
  const batchesPerEpoch = Math.ceil(trainSet.count / config.batchSize);
  const totalSteps = Math.min(config.epochs * batchesPerEpoch, config.maxSteps ?? Infinity);
  const modelConfig = options.modelConfig ?? model.config;
  if (options.dataParallel && options.dataParallel.model !== model) {
    throw new Error(
      'Error in train: options.dataParallel must be built on options.model (its replica 0 is the model the optimizer updates)',
    );
  }

  const optimizer: Optimizer = createOptimizer(config.optimizer);
  const dataRng = new Xoshiro128(config.seed);
  const modelRng = createRng(modelRngSeed(config.seed));
  let progress: TrainProgress = {
    epoch: 0,
    nextBatch: 0,
    step: 0,
    epochStartRng: dataRng.getState(),
    modelRng: modelRng.getState(),
    epochSums: { loss: 0, correct: 0, seen: 0, batches: 0 },
    best: null,
    finished: false,
  };
  let lastEpochRecord: EpochRecord | null = null;
  if (options.resume) {
    const { manifest } = options.resume;
    loadModelWeights(model, options.resume, `${manifest.kind} checkpoint`);
    optimizer.setState(manifest.optimizer, options.resume.optimizer);
    // A run stopped by maxSteps continues under the new config; one past its last epoch stays done.
    progress = { ...structuredClone(manifest.progress), finished: false };
    modelRng.setState(progress.modelRng);
    lastEpochRecord = manifest.metrics;
  }
  const params = () => model.namedVariables().filter(([, v]) => v.trainable);

  const saveCheckpoint = async (kind: 'last' | 'best') => {
    if (!sink?.checkpoint) return;
    const encoded = await encodeCheckpoint({
      kind,
      weightsFile: `${kind}-step${String(progress.step).padStart(8, '0')}.weights.bin`,
      modelConfig,
      train: config,
      progress,
      optimizer: optimizer.getState(),
      metrics: lastEpochRecord,
      modelVariables: model.namedVariables(),
      optimizerSlots: optimizer.slots(),
    });
    await sink.checkpoint(encoded);
  };

  const epochs: EpochRecord[] = [];
  try {
    while (!progress.finished && progress.epoch < config.epochs) {
      const epoch = progress.epoch;
      const lr = learningRateAt(config.lrSchedule, config.learningRate, epoch);
      dataRng.setState(progress.epochStartRng);
      // Sums of this epoch live on the device; restored exactly from the checkpoint's numbers.
      let lossSum: tf.Scalar = tf.scalar(progress.epochSums.loss);
      let correctSum: tf.Scalar = tf.scalar(progress.epochSums.correct);
      let seen = progress.epochSums.seen;
      let batchCount = progress.epochSums.batches;
      let lastLoss: number | undefined;
      let intervalStart = performance.now();
      let intervalImages = 0;
      let imagesPerSecond: number | undefined;
      let stopped = false;
      const readSums = async () => {
        const [l, c] = await Promise.all([lossSum.data(), correctSum.data()]);
        return { loss: l[0] as number, correct: c[0] as number };
      };
      try {
        for (const batch of batches(trainSet, {
          batchSize: config.batchSize,
          rng: dataRng,
          startBatch: progress.nextBatch,
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
                  batch.batchIndex / batchesPerEpoch,
                )
              : lr;
          let batchLoss: tf.Scalar;
          let batchCorrect: tf.Scalar;
          {
            let step: StepGradients;
            try {
              step = options.dataParallel
                ? await options.dataParallel.computeGradients(batch.xs, batch.ys, modelRng)
                : batchGradients(model, batch.xs, batch.ys, modelRng);
            } finally {
              tf.dispose([batch.xs, batch.ys]);
            }
            try {
              optimizer.apply(params(), step.grads, stepLr);
            } catch (error) {
              tf.dispose([step.loss, step.correct]);
              throw error;
            } finally {
              tf.dispose(Object.values(step.grads));
            }
            batchLoss = step.loss;
            batchCorrect = step.correct;
          }
          const newLoss = tf.add(lossSum, batchLoss) as tf.Scalar;
          const newCorrect = tf.add(correctSum, batchCorrect) as tf.Scalar;
          tf.dispose([lossSum, correctSum]);
          lossSum = newLoss;
          correctSum = newCorrect;
          seen += n;
          batchCount += 1;
          intervalImages += n;
          progress = {
            ...progress,
            nextBatch: batch.batchIndex + 1,
            step: progress.step + 1,
            modelRng: modelRng.getState(),
          };
          try {
            if (progress.step % printInterval === 0) {
              const [l, c] = await Promise.all([batchLoss.data(), batchCorrect.data()]);
              lastLoss = l[0] as number;
              const now = performance.now();
              imagesPerSecond = (intervalImages * 1000) / Math.max(1e-9, now - intervalStart);
              intervalStart = now;
              intervalImages = 0;
              const record: StepRecord = {
                type: 'step',
                epoch,
                step: progress.step,
                batch: batch.batchIndex,
                lr: stepLr,
                loss: lastLoss,
                batchAccuracy: (c[0] as number) / n,
                time: { elapsedSeconds: elapsed(), imagesPerSecond },
              };
              await sink?.metrics?.(record);
            }
          } finally {
            tf.dispose([batchLoss, batchCorrect]);
          }
          await options.onStep?.({
            epoch,
            batch: batch.batchIndex,
            batchesPerEpoch,
            step: progress.step,
            totalSteps,
            lr: stepLr,
            loss: lastLoss,
            imagesPerSecond,
          });
          stopped =
            progress.step >= (config.maxSteps ?? Infinity) || options.signal?.aborted === true;
          const epochDone = batch.batchIndex + 1 >= batchesPerEpoch;
          if (
            !stopped &&
            !epochDone &&
            checkpointEvery > 0 &&
            progress.step % checkpointEvery === 0
          ) {
            const sums = await readSums();
            progress = {
              ...progress,
              epochSums: { loss: sums.loss, correct: sums.correct, seen, batches: batchCount },
            };
            await saveCheckpoint('last');
          }
          if (stopped) break;
        }
        const sums = await readSums();
        progress = {
          ...progress,
          epochSums: { loss: sums.loss, correct: sums.correct, seen, batches: batchCount },
        };
      } finally {
        tf.dispose([lossSum, correctSum]);
      }

      // Evaluation (inference mode, kernels cached), every evalEvery epochs and at the end.
      const evalEvery = config.evalEvery ?? 1;
      const partial = progress.nextBatch < batchesPerEpoch;
      const lastEpoch = epoch + 1 >= config.epochs;
      const doEval =
        partial || stopped || lastEpoch || (evalEvery > 0 && (epoch + 1) % evalEvery === 0);
      let result: { loss: number; accuracy: number; seconds: number } | null = null;
      if (doEval) {
        options.onEvalProgress?.(0, testSet.count, epoch);
        result = await evaluate(model, testSet, {
          batchSize: config.evalBatchSize ?? config.batchSize,
          normalization: options.normalization,
          augmentations: options.testAugmentations,
          seed: (config.seed ^ Math.imul(epoch + 1, 0x9e3779b9)) >>> 0,
          onProgress: (done, total) => options.onEvalProgress?.(done, total, epoch),
          ...(options.dataParallel ? { dataParallel: options.dataParallel } : {}),
        });
      }
      const improved =
        result !== null && (progress.best === null || result.accuracy > progress.best.testAccuracy);
      const best = improved && result ? { testAccuracy: result.accuracy, epoch } : progress.best;
      const s = progress.epochSums;
      const record: EpochRecord = {
        type: 'epoch',
        epoch,
        step: progress.step,
        lr,
        trainLoss: s.batches > 0 ? s.loss / s.batches : Number.NaN,
        trainAccuracy: s.seen > 0 ? s.correct / s.seen : Number.NaN,
        testLoss: result?.loss ?? null,
        testAccuracy: result?.accuracy ?? null,
        bestTestAccuracy: best?.testAccuracy ?? null,
        bestEpoch: best?.epoch ?? null,
        ...(partial ? { partial: true } : {}),
        time: {
          elapsedSeconds: elapsed(),
          ...(result ? { evalSeconds: result.seconds } : {}),
        },
      };
      epochs.push(record);
      lastEpochRecord = record;
      await sink?.metrics?.(record);
      await options.onEpoch?.(record);
      if (partial) {
        // maxSteps or abort inside the epoch: keep the position so a resume continues it.
        progress = { ...progress, best, finished: true };
      } else {
        progress = {
          ...progress,
          epoch: epoch + 1,
          nextBatch: 0,
          epochStartRng: dataRng.getState(),
          epochSums: { loss: 0, correct: 0, seen: 0, batches: 0 },
          best,
          finished: lastEpoch || stopped,
        };
      }
      if (improved) await saveCheckpoint('best');
      await saveCheckpoint('last');
      if (stopped) break;
    }
  } finally {
    optimizer.dispose();
  }
  return { epochs, final: epochs.at(-1), progress, seconds: elapsed() };
}
