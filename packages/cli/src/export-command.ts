import { relative, resolve } from 'node:path';
import { DATASET_INFO, type DatasetId } from '@gcnn/datasets';
import { createModel, encodeModelFile, modelConfigFromJson } from '@gcnn/models';
import { disposeCheckpoint, loadModelWeights } from '@gcnn/training';
import { loadCheckpoint } from '@gcnn/training/node';
import { selectBackend } from './backend';
import { EXPORT_FORMAT_FLAG, writeGraphModel } from './export-graph-model';
import { type FlagSpec, formatHelp, parseFlags, UsageError } from './flags';
import type { CliIo } from './io';
import { CHECKPOINT_FLAGS, HELP_FLAG } from './train-flags';
import { writeModelFile } from './write-model-file';

export { maxAbsDifference } from './write-model-file';

const EXPORT_FLAGS: readonly FlagSpec[] = [
  ...CHECKPOINT_FLAGS,
  {
    name: 'out',
    type: 'string',
    description: 'Output folder for <name>.json and <name>.weights.bin',
    defaultText: 'export',
  },
  {
    name: 'name',
    type: 'string',
    description: 'Base name of the two files',
    defaultText: 'model',
  },
  EXPORT_FORMAT_FLAG,
  HELP_FLAG,
];

/**
 * `gcnn export`: a checkpoint's model as a browser-loadable model file (`model.json` with the
 * `ModelConfig`, input normalization, metadata and weights index, plus `model.weights.bin`), read
 * by `loadModelFromBuffers` of `@gcnn/models`. The optimizer state is left out.
 */
export async function exportCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(EXPORT_FLAGS, argv, 'export');
  if (values.help) {
    io.out.write(
      formatHelp(
        'gcnn export --checkpoint <run|file> [--out <dir>]',
        "Write a checkpoint's model as <name>.json (ModelConfig, input normalization, metadata, weights index) and <name>.weights.bin (float32), loadable in a browser with loadModelFromBuffers of @gcnn/models.",
        EXPORT_FLAGS,
      ),
    );
    return 0;
  }
  if (values.checkpoint === undefined)
    throw new UsageError('gcnn export: --checkpoint <run folder or checkpoint .json> is required');
  const name = (values.name as string | undefined) ?? 'model';
  if (!/^[\w.-]+$/.test(name))
    throw new UsageError(
      `gcnn export: --name must be a plain file name (letters, digits, '.', '_', '-'), got "${name}"`,
    );
  const outDir = resolve(io.cwd, (values.out as string | undefined) ?? 'export');
  await selectBackend('cpu');
  const ckpt = await loadCheckpoint(
    resolve(io.cwd, values.checkpoint as string),
    (values.kind as 'best' | 'last' | undefined) ?? 'best',
  );
  const { manifest } = ckpt;
  const config = modelConfigFromJson(manifest.modelConfig);
  const id = (manifest.train.dataset?.id ?? 'mnist-rot') as DatasetId;
  const model = createModel(config);
  try {
    loadModelWeights(model, ckpt, ckpt.path);
    disposeCheckpoint(ckpt);
    const testAccuracy =
      manifest.progress.best?.testAccuracy ?? manifest.metrics?.testAccuracy ?? undefined;
    const weightsFile = `${name}.weights.bin`;
    const normalization = {
      mean: [...DATASET_INFO[id].normalization.mean],
      std: [...DATASET_INFO[id].normalization.std],
    };
    const metadata = {
      dataset: id,
      parameters: model.parameterCount(),
      ...(testAccuracy !== undefined ? { testAccuracy } : {}),
      ...(manifest.train.dataset?.limitTest !== undefined
        ? { testLimit: manifest.train.dataset.limitTest }
        : {}),
      checkpoint: {
        file: relative(io.cwd, ckpt.path) || ckpt.path,
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
    if (values.format === 'graph-model') {
      const graph = await writeGraphModel(model, { outDir, name, normalization, metadata });
      io.out.write(
        `wrote the graph model ${graph.path} (${graph.bytes.toLocaleString('en-US')} bytes of constants; loadGraphModel's logits within ${graph.relativeError.toExponential(1)} relative of the model's)\n`,
      );
      return 0;
    }
    const { json, bytes } = await encodeModelFile(model, { weightsFile, normalization, metadata });
    const { jsonPath, binPath } = await writeModelFile(model, { json, bytes }, outDir, name);
    io.out.write(
      `wrote ${jsonPath} and ${binPath} (${bytes.length.toLocaleString('en-US')} bytes, ${model
        .parameterCount()
        .toLocaleString(
          'en-US',
        )} parameters; ${manifest.kind} checkpoint, epoch ${manifest.progress.epoch}, step ${manifest.progress.step}${
        testAccuracy !== undefined ? `, test accuracy ${(testAccuracy * 100).toFixed(2)}%` : ''
      })\n`,
    );
    return 0;
  } finally {
    model.dispose();
  }
}
