import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DATASET_INFO, type DatasetId } from '@gcnn/datasets';
import { loadModel, type ModelConfig, modelConfigFromJson } from '@gcnn/models';
import { fileSystem } from '@gcnn/models/node';
import type { CheckpointKind, TrainConfig } from '@gcnn/training';
import { loadCheckpoint } from '@gcnn/training/node';
import * as tf from '@tensorflow/tfjs-core';

/**
 * A model to evaluate or start training from: a training checkpoint (a run folder, a
 * `checkpoints/` folder or a checkpoint `.json`), or a model file (`model.json` + weights, as
 * `gcnn export` and `gcnn import-torch` write them, or the folder holding it).
 */
export interface ModelSource {
  /** The checkpoint manifest or model file read. */
  path: string;
  modelConfig: ModelConfig;
  /** Model variables by name (dispose with {@link disposeModelSource}). */
  model: Record<string, tf.Tensor>;
  /** The run's training settings (training checkpoints only). */
  train: TrainConfig | undefined;
  /** The dataset the model was trained on, when recorded. */
  dataset: DatasetId | undefined;
  /** For messages: `best checkpoint, epoch 3, step 120`, `model file`. */
  description: string;
}

const MODEL_FILE = 'model.json';

/** Whether `file` is the JSON of a model file (`"format": "gcnn-model"`). */
function isModelFileJson(file: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown }).format === 'gcnn-model';
  } catch {
    return false;
  }
}

/** The model file `path` names (itself, or a folder's `model.json` when the folder holds no checkpoint), else undefined. */
function modelFileOf(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  if (statSync(path).isFile()) return isModelFileJson(path) ? path : undefined;
  const hasCheckpoint = ['best.json', 'last.json', 'checkpoints'].some((f) =>
    existsSync(join(path, f)),
  );
  const file = join(path, MODEL_FILE);
  return !hasCheckpoint && existsSync(file) && isModelFileJson(file) ? file : undefined;
}

async function loadModelFile(file: string): Promise<ModelSource> {
  // Every shard, either format version, validated before the model is built (see loadModel).
  const { model, metadata } = await loadModel(fileSystem(file));
  const weightsByName = Object.fromEntries(
    model.namedVariables().map(([n, v]) => [n, tf.clone(v)]),
  );
  const config = model.config;
  model.dispose();
  const dataset = metadata.dataset;
  return {
    path: file,
    modelConfig: config,
    model: weightsByName,
    train: undefined,
    dataset:
      typeof dataset === 'string' && dataset in DATASET_INFO ? (dataset as DatasetId) : undefined,
    description: 'model file',
  };
}

/** Loads a training checkpoint or a model file (see {@link ModelSource}); `prefer` picks a run folder's checkpoint. */
export async function loadModelSource(path: string, prefer: CheckpointKind): Promise<ModelSource> {
  const file = modelFileOf(resolve(path));
  if (file) return loadModelFile(file);
  const ckpt = await loadCheckpoint(path, prefer);
  const { manifest } = ckpt;
  for (const t of Object.values(ckpt.optimizer)) t.dispose();
  return {
    path: ckpt.path,
    modelConfig: modelConfigFromJson(manifest.modelConfig),
    model: ckpt.model,
    train: manifest.train,
    dataset: manifest.train.dataset?.id as DatasetId | undefined,
    description: `${manifest.kind} checkpoint, epoch ${manifest.progress.epoch}, step ${manifest.progress.step}`,
  };
}

/** Disposes the tensors of a {@link ModelSource}. */
export function disposeModelSource(source: ModelSource): void {
  tf.dispose(Object.values(source.model));
}
