import { relative, resolve } from 'node:path';
import { DATASET_INFO } from '@gcnn/datasets';
import { type Classifier, createModel, encodeModelFile, modelConfigFromJson } from '@gcnn/models';
import {
  type CheckpointManifest,
  disposeCheckpoint,
  type LoadedCheckpoint,
  loadModelWeights,
} from '@gcnn/training';
import { loadCheckpoint } from '@gcnn/training/node';
import { selectBackend } from './backend';
import { type CommandSpec, parseCommand } from './command-spec';
import { CHECKPOINT_FLAGS, HELP_FLAG } from './common-flags';
import { EXPORT_FORMAT_FLAG, writeGraphModel } from './export-graph-model';
import { flag, withDefaults } from './flag-spec';
import type { CliIo } from './io';
import { datasetIdOf } from './load-datasets';
import { UsageError } from './usage-error';
import { writeModelFile } from './write-model-file';

export { maxAbsDifference } from './write-model-file';

const EXPORT_FLAGS = {
  ...CHECKPOINT_FLAGS,
  out: flag.string({
    description: 'Output folder for <name>.json and <name>.weights.bin',
    default: 'export',
  }),
  name: flag.string({ description: 'Base name of the two files', default: 'model' }),
  format: EXPORT_FORMAT_FLAG,
  help: HELP_FLAG,
};

export const EXPORT_COMMAND: CommandSpec<typeof EXPORT_FLAGS> = {
  name: 'export',
  usage: 'gcnn export --checkpoint <run|file> [--out <dir>]',
  summary:
    "Write a checkpoint's model as <name>.json (ModelConfig, input normalization, metadata, weights index) and <name>.weights.bin (float32), loadable in a browser with loadModelFromBuffers of @gcnn/models.",
  flags: EXPORT_FLAGS,
};

/**
 * `gcnn export`: a checkpoint's model as a browser-loadable model file (`model.json` with the
 * `ModelConfig`, input normalization, metadata and weights index, plus `model.weights.bin`), read
 * by `loadModelFromBuffers` of `@gcnn/models`. The optimizer state is left out.
 */
export async function exportCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(EXPORT_COMMAND, argv, io);
  if (!parsed) return 0;
  const values = withDefaults(EXPORT_FLAGS, parsed.given);
  if (values.checkpoint === undefined)
    throw new UsageError('gcnn export: --checkpoint <run folder or checkpoint .json> is required');
  if (!/^[\w.-]+$/.test(values.name))
    throw new UsageError(
      `gcnn export: --name must be a plain file name (letters, digits, '.', '_', '-'), got "${values.name}"`,
    );
  const outDir = resolve(io.cwd, values.out);
  const onNotice = (line: string) => io.err.write(`gcnn: ${line}\n`);
  await selectBackend('cpu');
  const ckpt = await loadCheckpoint(resolve(io.cwd, values.checkpoint), values.kind);
  const { manifest } = ckpt;
  const config = modelConfigFromJson(manifest.modelConfig);
  const model = createModel(config);
  try {
    loadModelWeights(model, ckpt, ckpt.path);
    disposeCheckpoint(ckpt);
    const description = exportDescription(model, ckpt, io.cwd);
    if (values.format === 'graph-model') {
      const graph = await writeGraphModel(model, {
        outDir,
        name: values.name,
        ...description,
        onNotice,
      });
      io.out.write(
        `wrote the graph model ${graph.path} (${graph.bytes.toLocaleString('en-US')} bytes of constants; loadGraphModel's logits within ${graph.relativeError.toExponential(1)} relative of the model's)\n`,
      );
      return 0;
    }
    const weightsFile = `${values.name}.weights.bin`;
    const { json, bytes } = await encodeModelFile(model, { weightsFile, ...description });
    const file = { json, bytes };
    const { jsonPath, binPath } = await writeModelFile(model, file, outDir, values.name, onNotice);
    const accuracy = testAccuracyOf(manifest);
    io.out.write(
      `wrote ${jsonPath} and ${binPath} (${bytes.length.toLocaleString('en-US')} bytes, ${model
        .parameterCount()
        .toLocaleString(
          'en-US',
        )} parameters; ${manifest.kind} checkpoint, epoch ${manifest.progress.epoch}, step ${manifest.progress.step}${
        accuracy !== undefined ? `, test accuracy ${(accuracy * 100).toFixed(2)}%` : ''
      })\n`,
    );
    return 0;
  } finally {
    model.dispose();
  }
}

/** The test accuracy a checkpoint records: its run's best, else its last evaluation's. */
function testAccuracyOf(manifest: CheckpointManifest): number | undefined {
  return manifest.progress.best?.testAccuracy ?? manifest.metrics?.testAccuracy ?? undefined;
}

/** The model file's input normalization (the dataset's) and metadata (dataset, size, source checkpoint, training). */
function exportDescription(
  model: Classifier,
  ckpt: LoadedCheckpoint & { path: string },
  cwd: string,
) {
  const { manifest } = ckpt;
  const id = datasetIdOf(manifest.train);
  const testAccuracy = testAccuracyOf(manifest);
  const { mean, std } = DATASET_INFO[id].normalization;
  const metadata = {
    dataset: id,
    parameters: model.parameterCount(),
    ...(testAccuracy !== undefined ? { testAccuracy } : {}),
    ...(manifest.train.dataset?.limitTest !== undefined
      ? { testLimit: manifest.train.dataset.limitTest }
      : {}),
    checkpoint: {
      file: relative(cwd, ckpt.path) || ckpt.path,
      kind: manifest.kind,
      createdAt: manifest.createdAt,
      epoch: manifest.progress.epoch,
      step: manifest.progress.step,
      sha256: manifest.weights.sha256,
    },
    train: {
      seed: manifest.train.seed,
      epochs: manifest.train.epochs,
      batchSize: manifest.train.batchSize,
      learningRate: manifest.train.learningRate,
    },
    exportedAt: new Date().toISOString(),
  };
  return { normalization: { mean: [...mean], std: [...std] }, metadata };
}
