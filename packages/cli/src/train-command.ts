import { existsSync, statSync } from 'node:fs';
import { DATASET_INFO, type DatasetId } from '@gcnn/datasets';
import { type Classifier, createModel } from '@gcnn/models';
import {
  DivergenceError,
  disposeCheckpoint,
  evaluate,
  loadModelWeights,
  shardSizes,
  type TrainConfig,
  type TrainResult,
  train,
} from '@gcnn/training';
import {
  type DataParallelTrainer,
  openRunDirectory,
  type RunDirectory,
  RunExistsError,
} from '@gcnn/training/node';
import { type BackendName, selectCommandBackend } from './backend';
import { type CommandSpec, parseCommand } from './command-spec';
import { dottedOverridesHelp, withDottedOverrides } from './dotted-overrides';
import { withDefaults } from './flag-spec';
import type { CliIo } from './io';
import { datasetIdOf, type LoadedDatasets, loadDatasets } from './load-datasets';
import { disposeModelSource } from './model-source';
import { ProgressBar } from './progress-bar';
import { checkQuarterTurns } from './quarter-turn-check';
import { checkWorkers, startCliReplicas, startInferenceReplicas } from './start-cli-replicas';
import { TRAIN_FLAGS } from './train-flags';
import { memoryErrorForCli, planLine } from './train-memory';
import { planTrainRun, type TrainPlan } from './train-plan';
import { percent, trainProgress } from './train-progress';
import { describeTrainRun, divergenceLine, reportTrainRun } from './train-report';
import { UsageError } from './usage-error';

export const TRAIN_COMMAND: CommandSpec<typeof TRAIN_FLAGS> = {
  name: 'train',
  usage: 'gcnn train [flags] [key.sub=value …]',
  summary:
    'Train a group-equivariant CNN (default: the `default` preset on MNIST-rot, evaluated on the 50,000 test images). Flags override --config, which overrides the preset.',
  flags: TRAIN_FLAGS,
  epilog: dottedOverridesHelp(),
};

/** `gcnn train`: trains (or with --test-only evaluates) a model; returns the exit code. */
export async function trainCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(TRAIN_COMMAND, argv, io);
  if (!parsed) return 0;
  const given = withDottedOverrides(parsed.given, parsed.positionals, 'train', io);
  const started = performance.now();
  const values = withDefaults(TRAIN_FLAGS, given);
  checkWorkers('train', values.workers, values.backend);
  // Before anything creates a tensor (checkpoints are decoded into tensors).
  const backend = await selectCommandBackend(values, io);
  const plan = await planTrainRun(given, values, io);
  checkWorkers('train', plan.workers, values.backend);
  const limitTrain = plan.train.dataset?.limitTrain;
  if (limitTrain !== undefined) checkBatchSize(plan.train.batchSize, limitTrain);
  let model: Classifier | undefined;
  let run: RunDirectory | undefined;
  let dataParallel: DataParallelTrainer | undefined;
  try {
    model = createModel(plan.model);
    // Refusals first, then the run folder (checked and locked) before any data loads.
    checkQuarterTurns(model, values['strict-equivariance'], 'train', io);
    run = values['test-only'] ? undefined : openTrainRunFolder(plan, values, backend, io);
    const datasetId = datasetIdOf(plan.train);
    const data = await loadTrainData(datasetId, plan.train, io);
    checkBatchSize(plan.train.batchSize, data.train.count);
    const counts = { id: datasetId, trainImages: data.train.count, testImages: data.test.count };
    io.err.write(describeTrainRun(plan.model, model.parameterCount(), counts, backend));
    if (plan.init) {
      loadModelWeights(model, plan.init, plan.init.path);
      disposeModelSource(plan.init);
    }
    if (!run) {
      dataParallel = await startInferenceReplicas(replicaOptions(model, plan, values), backend, io);
      return await testOnly(model, data, datasetId, plan.train, io, dataParallel);
    }
    dataParallel = await startTrainReplicas(model, plan, values, backend, io);
    run.setStepsPerEpoch(Math.ceil(data.train.count / plan.train.batchSize));
    const result = await runTraining(model, plan, datasetId, data, run, dataParallel, io);
    const wallSeconds = (performance.now() - started) / 1000;
    const parameters = model.parameterCount();
    reportTrainRun(run, { result, plan, data: counts, parameters, backend, wallSeconds }, io);
    return 0;
  } finally {
    await dataParallel?.close();
    model?.dispose();
    if (plan.resume) disposeCheckpoint(plan.resume);
    if (plan.init) disposeModelSource(plan.init); // a no-op once loaded into the model
    run?.close();
  }
}

/** Trains `model` as planned (resuming from the plan's checkpoint), with progress bars. */
async function runTraining(
  model: Classifier,
  plan: TrainPlan,
  datasetId: DatasetId,
  data: LoadedDatasets,
  sink: RunDirectory,
  dataParallel: DataParallelTrainer | undefined,
  io: CliIo,
): Promise<TrainResult> {
  const result = await train({
    model,
    trainSet: data.train,
    testSet: data.test,
    config: plan.train,
    normalization: DATASET_INFO[datasetId].normalization,
    augmentations: data.trainAugmentations,
    testAugmentations: data.testAugmentations,
    resume: plan.resume,
    modelConfig: plan.model,
    sink,
    ...trainProgress(io, plan),
    ...(dataParallel ? { dataParallel } : {}),
    ...(plan.memoryLimitBytes !== undefined ? { memoryLimitBytes: plan.memoryLimitBytes } : {}),
    onPlan: (step) => {
      io.err.write(planLine(step));
    },
  }).catch((error: unknown) => {
    if (error instanceof DivergenceError) throw new Error(divergenceLine(error, plan));
    const { batchSize } = plan.train;
    throw memoryErrorForCli(error, { batchSize, workers: plan.workers, outDir: plan.outDir });
  });
  return result;
}

/** The run's train and test sets, with a progress bar while MNIST-rot & co are generated (first run). */
async function loadTrainData(
  id: DatasetId,
  train: TrainConfig,
  io: CliIo,
): Promise<LoadedDatasets> {
  const ds = train.dataset;
  let bar: ProgressBar | undefined;
  const data = await loadDatasets({
    id,
    dataDir: ds?.dataDir,
    limitTrain: ds?.limitTrain,
    limitTest: ds?.limitTest,
    augment: ds?.augment,
    onProgress: (done, total) => {
      bar ??= new ProgressBar(io.err, `generating ${id}`, total, 'img');
      bar.update(done);
    },
  });
  bar?.finish();
  return data;
}

/**
 * `--load … --test-only`: evaluates the loaded model (on the replicas of `--workers n`, as
 * `gcnn evaluate` does) and prints its test accuracy and loss.
 */
async function testOnly(
  model: Classifier,
  data: LoadedDatasets,
  id: DatasetId,
  train: TrainConfig,
  io: CliIo,
  dataParallel: DataParallelTrainer | undefined,
): Promise<number> {
  const bar = new ProgressBar(io.err, 'evaluate', data.test.count, 'img');
  const r = await evaluate(model, data.test, {
    batchSize: train.evalBatchSize ?? train.batchSize,
    normalization: DATASET_INFO[id].normalization,
    augmentations: data.testAugmentations,
    seed: train.seed,
    onProgress: (d) => bar.update(d),
    ...(dataParallel ? { dataParallel } : {}),
  });
  bar.finish();
  io.out.write(
    `test accuracy ${percent(r.accuracy)} (${r.correct}/${r.count}), test loss ${r.loss.toFixed(4)}\n`,
  );
  return 0;
}

/** What {@link startCliReplicas} needs for the plan's `workers` replicas of `model`. */
function replicaOptions(
  model: Classifier,
  plan: TrainPlan,
  values: { backend: BackendName; 'gpu-adapter': string | undefined },
): Parameters<typeof startCliReplicas>[0] {
  return {
    model,
    modelConfig: plan.model,
    workers: plan.workers,
    backend: values.backend,
    gpuAdapter: values['gpu-adapter'],
  };
}

/** With `--workers n` (n > 1) the worker threads' replicas; says how the training runs. */
async function startTrainReplicas(
  model: Classifier,
  plan: TrainPlan,
  values: { backend: BackendName; 'gpu-adapter': string | undefined },
  backend: string,
  io: CliIo,
): Promise<DataParallelTrainer | undefined> {
  const { workers } = plan;
  if (workers <= 1) {
    io.err.write('gcnn: training on 1 replica (this thread)\n');
    return undefined;
  }
  const started = await startCliReplicas(replicaOptions(model, plan, values));
  const shards = shardSizes(plan.train.batchSize, workers);
  io.err.write(
    `gcnn: data-parallel training on ${workers} replicas (${started.threads}, backend ${backend} in each); batch ${plan.train.batchSize} split ${shards.join(' + ')}\n`,
  );
  return started.trainer;
}

/**
 * Opens the run folder (`--out`, or the `--resume` folder) under its lock, before any data loads:
 * refuses a file, a folder in use, and a folder holding a run unless `--resume` or `--overwrite`.
 * Its `config.json` (a new run) or cut-back metrics (a resumed one) are written once training
 * begins.
 */
function openTrainRunFolder(
  plan: TrainPlan,
  values: { overwrite: boolean | undefined },
  backend: string,
  io: CliIo,
): RunDirectory {
  const dir = plan.outDir;
  if (existsSync(dir) && !statSync(dir).isDirectory())
    throw new UsageError(
      `gcnn train: ${plan.resume ? '--resume' : '--out'} '${dir}' is a file; expected a run folder (new, empty, or a run to continue with --resume)`,
    );
  const mode = plan.resume ? 'resume' : values.overwrite ? 'overwrite' : 'new';
  const config = { command: 'gcnn train', flags: plan.flags, model: plan.model, train: plan.train };
  let run: RunDirectory;
  try {
    run = openRunDirectory(dir, {
      mode,
      config: { ...config, backend },
      onNotice: (line) => io.err.write(`gcnn: ${line}\n`),
    });
  } catch (error) {
    if (!(error instanceof RunExistsError)) throw error;
    throw new UsageError(
      `gcnn train: ${error.message}; continue it with --resume ${dir}, or start over with --overwrite (moves it to ${dir}.replaced-<date>)`,
    );
  }
  io.err.write(`gcnn: run folder ${dir}\n`);
  return run;
}

/** A batch larger than the training set would make every epoch one smaller batch: refuse it. */
function checkBatchSize(batchSize: number, trainImages: number): void {
  if (batchSize > trainImages)
    throw new UsageError(
      `gcnn train: --batch-size ${batchSize} is larger than the ${trainImages} training images; use at most ${trainImages}`,
    );
}
