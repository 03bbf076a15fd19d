import type { Xoshiro128State } from '@gcnn/lie-groups';
import {
  type CodecContext,
  decodeWeights,
  encodeWeights,
  entriesFromSpecs,
  type OffsetWeightEntry,
  sha256Hex,
  specsFromEntries,
} from '@gcnn/weights';
import * as tf from '@tensorflow/tfjs-core';
import type { EpochRecord } from './metrics';
import type { OptimizerStateJson } from './optimizer';
import type { TrainConfig } from './train-config';

/** Where one tensor lies in a checkpoint's weights file (name, dtype, shape, offset, byteLength). */
export type TensorEntry = OffsetWeightEntry;

/** The index of a checkpoint's binary weights file, stored in its manifest. */
export interface WeightsIndex {
  /** File name relative to the manifest. */
  file: string;
  byteLength: number;
  /** Lower-case hex SHA-256 of the whole file. */
  sha256: string;
  /** The tensors one after another (the `@gcnn/weights` codec's layout). */
  entries: TensorEntry[];
}

/** Where a run stands: enough to continue it exactly. */
export interface TrainProgress {
  /** The epoch in progress (0-based); after a finished epoch, the next one. */
  epoch: number;
  /** Index of the next batch of `epoch` (0 at an epoch boundary). */
  nextBatch: number;
  /** Optimizer steps done in the whole run. */
  step: number;
  /** State of the data stream (`Xoshiro128`) at the start of `epoch` (order, augmentation). */
  epochStartRng: Xoshiro128State;
  /** State of the model's stream (`Rng` of `createRng`: `uniform` sampling, dropout). */
  modelRng: number;
  /** Running sums of `epoch` so far (mean batch loss and accuracy are derived from them). */
  epochSums: { loss: number; correct: number; seen: number; batches: number };
  /** Best test accuracy so far and its epoch (null before the first evaluation). */
  best: { testAccuracy: number; epoch: number } | null;
  /** The run reached its last epoch (or `maxSteps`). */
  finished: boolean;
}

/** The kinds of checkpoint a run keeps: `best` (best test accuracy so far) and `last`. */
export const CHECKPOINT_KINDS = ['best', 'last'] as const;
export type CheckpointKind = (typeof CHECKPOINT_KINDS)[number];

/** The JSON manifest of a checkpoint; the tensors are in the binary file `weights.file`. */
export interface CheckpointManifest {
  format: 'gcnn-checkpoint';
  version: 1;
  /** `last` (latest state, also mid-epoch) or `best` (best test accuracy so far). */
  kind: CheckpointKind;
  createdAt: string;
  /** The model's config (`Classifier.config`). */
  modelConfig: unknown;
  train: TrainConfig;
  progress: TrainProgress;
  optimizer: OptimizerStateJson;
  /** The last epoch's metrics, if any. */
  metrics: EpochRecord | null;
  /** Entries `model/<variable>` and `optimizer/<slot>/<variable>`. */
  weights: WeightsIndex;
}

/** A checkpoint in memory: manifest plus the bytes of its weights file. */
export interface EncodedCheckpoint {
  manifest: CheckpointManifest;
  bytes: Uint8Array;
}

/** Prefixes of the tensor names in a weights file. */
export const MODEL_PREFIX = 'model/';
export const OPTIMIZER_PREFIX = 'optimizer/';

/**
 * Encodes model variables and optimizer slots into one weights file plus the manifest (with the
 * file's SHA-256). `weightsFile` is the name the manifest records for the binary file.
 */
export async function encodeCheckpoint(fields: {
  kind: CheckpointKind;
  weightsFile: string;
  modelConfig: unknown;
  train: TrainConfig;
  progress: TrainProgress;
  optimizer: OptimizerStateJson;
  metrics: EpochRecord | null;
  modelVariables: ReadonlyArray<readonly [string, tf.Tensor]>;
  optimizerSlots: ReadonlyArray<readonly [string, tf.Tensor]>;
}): Promise<EncodedCheckpoint> {
  const named: Array<readonly [string, tf.Tensor]> = [
    ...fields.modelVariables.map(([n, t]) => [MODEL_PREFIX + n, t] as const),
    ...fields.optimizerSlots.map(([n, t]) => [OPTIMIZER_PREFIX + n, t] as const),
  ];
  const { specs, data: bytes } = await encodeWeights(named, 'encodeCheckpoint');
  const sha256 = await sha256Hex(bytes);
  if (sha256 === null) throw new Error('Error in encodeCheckpoint: WebCrypto is not available');
  const manifest: CheckpointManifest = {
    format: 'gcnn-checkpoint',
    version: 1,
    kind: fields.kind,
    createdAt: new Date().toISOString(),
    modelConfig: fields.modelConfig,
    train: fields.train,
    progress: fields.progress,
    optimizer: fields.optimizer,
    metrics: fields.metrics,
    weights: {
      file: fields.weightsFile,
      byteLength: bytes.byteLength,
      sha256,
      entries: entriesFromSpecs(specs),
    },
  };
  return { manifest, bytes };
}

/** A verified, decoded checkpoint: the manifest and its tensors split by owner. */
export interface LoadedCheckpoint {
  manifest: CheckpointManifest;
  /** Model variables by name (owned by the caller: dispose with {@link disposeCheckpoint}). */
  model: Record<string, tf.Tensor>;
  /** Optimizer slots by `slot/variable`. */
  optimizer: Record<string, tf.Tensor>;
}

/**
 * Checks a manifest's shape (format, version, required fields); throws naming `source` and the
 * first problem.
 */
export function validateManifest(value: unknown, source: string): CheckpointManifest {
  const fail = (what: string): never => {
    throw new Error(`Error in checkpoint: manifest '${source}' ${what}`);
  };
  if (typeof value !== 'object' || value === null) fail('is not a JSON object');
  const m = value as Record<string, unknown>;
  if (m.format !== 'gcnn-checkpoint')
    fail(`has format ${JSON.stringify(m.format)}, expected "gcnn-checkpoint"`);
  if (m.version !== 1) fail(`has version ${JSON.stringify(m.version)}, expected 1`);
  for (const key of ['modelConfig', 'train', 'progress', 'optimizer', 'weights'] as const) {
    if (typeof m[key] !== 'object' || m[key] === null) fail(`is missing the entry '${key}'`);
  }
  const w = m.weights as Record<string, unknown>;
  if (typeof w.file !== 'string' || typeof w.sha256 !== 'string' || !Array.isArray(w.entries)) {
    fail("has an incomplete 'weights' entry (file, sha256, entries)");
  }
  return value as CheckpointManifest;
}

/**
 * Verifies the bytes against the manifest (length, SHA-256, every entry checked by the
 * `@gcnn/weights` codec, finite values) and decodes them; nothing is created on error.
 */
export async function decodeCheckpoint(
  manifest: CheckpointManifest,
  bytes: Uint8Array,
  fileName: string = manifest.weights.file,
): Promise<LoadedCheckpoint> {
  const tensors = await decodeCheckpointWeights(bytes, manifest.weights, fileName);
  const model: Record<string, tf.Tensor> = {};
  const optimizer: Record<string, tf.Tensor> = {};
  for (const [name, t] of tensors) {
    if (name.startsWith(MODEL_PREFIX)) model[name.slice(MODEL_PREFIX.length)] = t;
    else if (name.startsWith(OPTIMIZER_PREFIX)) optimizer[name.slice(OPTIMIZER_PREFIX.length)] = t;
    else {
      tf.dispose([...tensors.values()]);
      throw new Error(
        `Error in checkpoint: weights file '${fileName}' has entry '${name}', expected a name starting with '${MODEL_PREFIX}' or '${OPTIMIZER_PREFIX}'`,
      );
    }
  }
  return { manifest, model, optimizer };
}

async function decodeCheckpointWeights(
  bytes: Uint8Array,
  index: WeightsIndex,
  fileName: string,
): Promise<Map<string, tf.Tensor>> {
  const ctx: CodecContext = { op: 'checkpoint', source: fileName };
  const file = `Error in checkpoint: weights file '${fileName}'`;
  if (bytes.byteLength !== index.byteLength)
    throw new Error(
      `${file} has ${bytes.byteLength} bytes, the manifest expects ${index.byteLength} (truncated or replaced)`,
    );
  const sha = await sha256Hex(bytes);
  if (sha !== null && sha !== index.sha256)
    throw new Error(
      `${file} has SHA-256 ${sha}, the manifest expects ${index.sha256} (corrupt or replaced)`,
    );
  const specs = specsFromEntries(index.entries, bytes.byteLength, ctx);
  return decodeWeights(specs, bytes, ctx);
}

/** Disposes the tensors of a loaded checkpoint. */
export function disposeCheckpoint(checkpoint: LoadedCheckpoint): void {
  for (const t of Object.values(checkpoint.model)) t.dispose();
  for (const t of Object.values(checkpoint.optimizer)) t.dispose();
}

/**
 * Loads a checkpoint's model weights (or any `{ model }` map of variable names to tensors) into
 * `model`; every model variable must be present (an error names the checkpoint and the missing
 * entry).
 */
export function loadModelWeights(
  model: {
    namedVariables(): Array<[string, tf.Variable]>;
    setWeights(w: Record<string, tf.Tensor>): void;
  },
  checkpoint: Pick<LoadedCheckpoint, 'model'>,
  source: string,
): void {
  const missing = model.namedVariables().filter(([name]) => !(name in checkpoint.model));
  if (missing.length > 0) {
    throw new Error(
      `Error in checkpoint: '${source}' has no entry for model variable(s) ${missing
        .slice(0, 5)
        .map(([n]) => `'${n}'`)
        .join(', ')}${missing.length > 5 ? `, … (${missing.length} in all)` : ''}`,
    );
  }
  model.setWeights(checkpoint.model);
}
