import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { DATASET_INFO, type DatasetId } from '@gcnn/datasets';
import {
  createModel,
  encodeModelFile,
  loadModelFromBuffers,
  modelConfigFromJson,
} from '@gcnn/models';
import { disposeCheckpoint, loadModelWeights } from '@gcnn/training';
import { loadCheckpoint } from '@gcnn/training/node';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from './backend';
import { type FlagSpec, formatHelp, parseFlags, UsageError } from './flags';
import type { CliIo } from './io';
import { CHECKPOINT_FLAGS, HELP_FLAG } from './train-flags';

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
    const { json, bytes } = await encodeModelFile(model, {
      weightsFile,
      normalization: {
        mean: [...DATASET_INFO[id].normalization.mean],
        std: [...DATASET_INFO[id].normalization.std],
      },
      metadata: {
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
      },
    });
    mkdirSync(outDir, { recursive: true });
    const jsonPath = join(outDir, `${name}.json`);
    const binPath = join(outDir, weightsFile);
    writeFileSync(binPath, bytes);
    writeFileSync(jsonPath, `${JSON.stringify(json, null, 1)}\n`);
    // Read the files back through the browser loader: the same logits as the checkpoint's model.
    const reloaded = await loadModelFromBuffers(
      readFileSync(jsonPath, 'utf8'),
      readFileSync(binPath),
      jsonPath,
    );
    const x = tf.randomUniform(
      [2, config.imageSize, config.imageSize, config.inChannels],
      -1,
      1,
      'float32',
      1,
    ) as tf.Tensor4D;
    const [a, b] = [model.apply(x), reloaded.model.apply(x)];
    let diff: number;
    try {
      diff = await maxAbsDifference(a, b);
    } finally {
      tf.dispose([x, a, b]);
      reloaded.model.dispose();
    }
    if (diff !== 0)
      throw new Error(`the exported model's logits differ from the checkpoint's by ${diff}`);
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

/**
 * The largest |a − b| over all entries, read asynchronously (`await data()`), so it works on every
 * backend, webgpu in Node included, where a synchronous read of a GPU tensor is impossible. Leaves
 * `a` and `b` to the caller; disposes what it creates.
 */
export async function maxAbsDifference(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const max = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  try {
    return (await max.data())[0] as number;
  } finally {
    max.dispose();
  }
}
