import { resolve } from 'node:path';
import { DATASET_INFO, type DatasetId } from '@gcnn/datasets';
import { createModel } from '@gcnn/models';
import { evaluate, loadModelWeights } from '@gcnn/training';
import type { DataParallelTrainer } from '@gcnn/training/node';
import { type BackendName, selectBackend } from './backend';
import { type FlagSpec, formatHelp, parseFlags, UsageError } from './flags';
import type { CliIo } from './io';
import { DATASET_IDS, loadDatasets } from './load-datasets';
import { disposeModelSource, loadModelSource } from './model-source';
import { ProgressBar } from './progress-bar';
import { checkWorkers, startCliReplicas } from './replica-model';
import { BACKEND_FLAG, CHECKPOINT_FLAGS, GPU_ADAPTER_FLAG, HELP_FLAG } from './train-flags';

const EVALUATE_FLAGS: readonly FlagSpec[] = [
  ...CHECKPOINT_FLAGS,
  {
    name: 'dataset',
    type: 'choice',
    choices: DATASET_IDS,
    description: "Dataset to evaluate on (must match the model's input shape)",
    defaultText: "the run's dataset",
  },
  {
    name: 'data-dir',
    type: 'string',
    description: 'Folder or file of user-supplied dataset files (see gcnn train --help)',
  },
  { name: 'limit-test', type: 'int', min: 1, description: 'Only the first N test images' },
  {
    name: 'batch-size',
    type: 'int',
    min: 1,
    description: 'Batch size',
    defaultText: "the run's evaluation batch size",
  },
  {
    name: 'workers',
    type: 'int',
    min: 1,
    description:
      'Data-parallel inference on this many threads (cpu and wasm backends): this thread plus workers−1 worker threads, each with its own backend and model replica computing a contiguous shard of every batch; same results as 1 up to float32 round-off',
    defaultText: '1',
  },
  BACKEND_FLAG,
  GPU_ADAPTER_FLAG,
  HELP_FLAG,
];

/** Evaluation batch size of a model file (a checkpoint records its run's). */
const MODEL_FILE_BATCH_SIZE = 64;

/** `gcnn evaluate`: test accuracy and loss of a checkpoint or model file. */
export async function evaluateCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(EVALUATE_FLAGS, argv, 'evaluate');
  if (values.help) {
    io.out.write(
      formatHelp(
        'gcnn evaluate --checkpoint <dir|file> [flags]',
        'Evaluate a checkpoint, or a model file of gcnn export / gcnn import-torch, on a test set; prints top-1 accuracy and mean loss.',
        EVALUATE_FLAGS,
      ),
    );
    return 0;
  }
  if (values.checkpoint === undefined)
    throw new UsageError(
      'gcnn evaluate: --checkpoint <run folder or checkpoint .json> is required',
    );
  const backendName = (values.backend as BackendName | undefined) ?? 'wasm';
  const workers = (values.workers as number | undefined) ?? 1;
  checkWorkers('evaluate', workers, backendName);
  const backend = await selectBackend(backendName, {
    gpuAdapter: values['gpu-adapter'] as string | undefined,
    log: (line) => io.err.write(`${line}\n`),
  });
  const source = await loadModelSource(
    resolve(io.cwd, values.checkpoint as string),
    (values.kind as 'best' | 'last' | undefined) ?? 'best',
  );
  const { modelConfig, train } = source;
  const id = ((values.dataset as string | undefined) ?? source.dataset ?? 'mnist-rot') as DatasetId;
  const info = DATASET_INFO[id];
  if (
    info.channels !== modelConfig.inChannels ||
    info.height !== modelConfig.imageSize ||
    info.numClasses !== modelConfig.numClasses
  ) {
    disposeModelSource(source);
    throw new UsageError(
      `gcnn evaluate: --dataset ${id} has ${info.height}×${info.width}×${info.channels} images and ${info.numClasses} classes; the checkpoint's model takes ${modelConfig.imageSize}×${modelConfig.imageSize}×${modelConfig.inChannels} and ${modelConfig.numClasses} classes`,
    );
  }
  const sameData = values.dataset === undefined || values.dataset === source.dataset;
  const data = await loadDatasets({
    id,
    dataDir:
      (values['data-dir'] as string | undefined) ??
      (sameData ? train?.dataset?.dataDir : undefined),
    limitTest:
      (values['limit-test'] as number | undefined) ??
      (sameData ? train?.dataset?.limitTest : undefined),
    limitTrain: 1,
  });
  const model = createModel(modelConfig);
  let dataParallel: DataParallelTrainer | undefined;
  try {
    loadModelWeights(model, source, source.path);
    disposeModelSource(source);
    io.err.write(
      `gcnn: ${source.path} (${source.description}); ${id} ${data.test.count} test images; backend ${backend}\n`,
    );
    if (workers > 1) {
      const started = await startCliReplicas({
        model,
        modelConfig,
        workers,
        backend: backendName,
        gpuAdapter: values['gpu-adapter'] as string | undefined,
      });
      dataParallel = started.trainer;
      io.err.write(
        `gcnn: data-parallel inference on ${workers} replicas (${started.threads}, backend ${backend} in each)\n`,
      );
    }
    const bar = new ProgressBar(io.err, 'evaluate', data.test.count, 'img');
    const r = await evaluate(model, data.test, {
      batchSize:
        (values['batch-size'] as number | undefined) ??
        (train ? (train.evalBatchSize ?? train.batchSize) : MODEL_FILE_BATCH_SIZE),
      normalization: info.normalization,
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
