import { resolve } from 'node:path';
import { DATASET_INFO, type DatasetId } from '@gcnn/datasets';
import { createModel, type ModelConfig } from '@gcnn/models';
import { evaluate, loadModelWeights } from '@gcnn/training';
import type { DataParallelTrainer } from '@gcnn/training/node';
import { selectCommandBackend } from './backend';
import { type CommandSpec, parseCommand } from './command-spec';
import { CHECKPOINT_FLAGS, COMMON_FLAGS } from './common-flags';
import { type FlagValues, flag, withDefaults } from './flag-spec';
import type { CliIo } from './io';
import { DATASET_IDS, type LoadedDatasets, loadDatasets } from './load-datasets';
import { disposeModelSource, loadModelSource, type ModelSource } from './model-source';
import { ProgressBar } from './progress-bar';
import { checkWorkers, startInferenceReplicas } from './start-cli-replicas';
import { UsageError } from './usage-error';

/** Evaluation batch size of a model file (a checkpoint records its run's). */
const MODEL_FILE_BATCH_SIZE = 64;

const EVALUATE_FLAGS = {
  ...CHECKPOINT_FLAGS,
  dataset: flag.choice(DATASET_IDS, {
    description: "Dataset to evaluate on (must match the model's input shape)",
    defaultText: "the run's dataset",
  }),
  'data-dir': flag.string({
    description: 'Folder or file of user-supplied dataset files (see gcnn train --help)',
    defaultText: "the run's, for the run's dataset",
  }),
  'limit-test': flag.int({
    min: 1,
    description: 'Only the first N test images',
    defaultText: "the run's, for the run's dataset",
  }),
  'batch-size': flag.int({
    min: 1,
    description: 'Batch size',
    defaultText: `the run's evaluation batch size; ${MODEL_FILE_BATCH_SIZE} for a model file`,
  }),
  workers: flag.int({
    min: 1,
    description:
      'Data-parallel inference on this many threads (cpu and wasm backends; at most the cores available, os.availableParallelism()): this thread plus workers−1 worker threads, each with its own backend and model replica computing a contiguous shard of every batch; same results as 1 up to float32 round-off',
    default: 1,
  }),
  ...COMMON_FLAGS,
};

export const EVALUATE_COMMAND: CommandSpec<typeof EVALUATE_FLAGS> = {
  name: 'evaluate',
  usage: 'gcnn evaluate --checkpoint <dir|file> [flags]',
  summary:
    'Evaluate a checkpoint, or a model file of gcnn export / gcnn import-torch, on a test set; prints top-1 accuracy and mean loss.',
  flags: EVALUATE_FLAGS,
};

type EvaluateValues = FlagValues<typeof EVALUATE_FLAGS>;

/** `gcnn evaluate`: test accuracy and loss of a checkpoint or model file. */
export async function evaluateCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(EVALUATE_COMMAND, argv, io);
  if (!parsed) return 0;
  const values = withDefaults(EVALUATE_FLAGS, parsed.given);
  if (values.checkpoint === undefined)
    throw new UsageError(
      'gcnn evaluate: --checkpoint <run folder or checkpoint .json> is required',
    );
  checkWorkers('evaluate', values.workers, values.backend);
  const backend = await selectCommandBackend(values, io);
  const source = await loadModelSource(resolve(io.cwd, values.checkpoint), values.kind);
  const { modelConfig, train } = source;
  const id = values.dataset ?? source.dataset ?? 'mnist-rot';
  checkInputShape(id, modelConfig, () => disposeModelSource(source));
  const data = await loadTestSet(id, source, values);
  const model = createModel(modelConfig);
  let dataParallel: DataParallelTrainer | undefined;
  try {
    loadModelWeights(model, source, source.path);
    disposeModelSource(source);
    io.err.write(
      `gcnn: ${source.path} (${source.description}); ${id} ${data.test.count} test images; backend ${backend}\n`,
    );
    dataParallel = await startInferenceReplicas(
      {
        model,
        modelConfig,
        workers: values.workers,
        backend: values.backend,
        gpuAdapter: values['gpu-adapter'],
      },
      backend,
      io,
    );
    const bar = new ProgressBar(io.err, 'evaluate', data.test.count, 'img');
    const r = await evaluate(model, data.test, {
      batchSize:
        values['batch-size'] ??
        (train ? (train.evalBatchSize ?? train.batchSize) : MODEL_FILE_BATCH_SIZE),
      normalization: DATASET_INFO[id].normalization,
      augmentations: data.testAugmentations,
      seed: train?.seed ?? 0,
      onProgress: (d) => bar.update(d),
      ...(dataParallel ? { dataParallel } : {}),
    });
    bar.finish();
    io.out.write(
      `test accuracy ${(r.accuracy * 100).toFixed(2)}% (${r.correct}/${r.count}), test loss ${r.loss.toFixed(4)}\n`,
    );
    return 0;
  } finally {
    await dataParallel?.close();
    model.dispose();
  }
}

/** Throws (after `cleanUp`) when the dataset's images or classes do not fit the model. */
function checkInputShape(id: DatasetId, model: ModelConfig, cleanUp: () => void): void {
  const info = DATASET_INFO[id];
  if (
    info.channels === model.inChannels &&
    info.height === model.imageSize &&
    info.numClasses === model.numClasses
  ) {
    return;
  }
  cleanUp();
  throw new UsageError(
    `gcnn evaluate: --dataset ${id} has ${info.height}×${info.width}×${info.channels} images and ${info.numClasses} classes; the checkpoint's model takes ${model.imageSize}×${model.imageSize}×${model.inChannels} and ${model.numClasses} classes`,
  );
}

/** The test set: the run's own data files and limit unless another dataset or flags are given. */
function loadTestSet(
  id: DatasetId,
  source: ModelSource,
  values: EvaluateValues,
): Promise<LoadedDatasets> {
  const run = source.train?.dataset;
  const sameData = values.dataset === undefined || values.dataset === source.dataset;
  return loadDatasets({
    id,
    dataDir: values['data-dir'] ?? (sameData ? run?.dataDir : undefined),
    limitTest: values['limit-test'] ?? (sameData ? run?.limitTest : undefined),
    limitTrain: 1,
  });
}
