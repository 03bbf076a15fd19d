import type { Xoshiro128State } from '@gcnn/lie-groups';
import {
  type CodecContext,
  decodeWeights,
  encodeWeights,
  entriesFromSpecs,
  type OffsetWeightEntry,
  sha256Hex,
  specsFromEntries,
  type WeightSpec,
} from '@gcnn/weights';
import type * as tf from '@tensorflow/tfjs-core';
import type { EpochRecord } from './metrics';
import type { OptimizerStateJson } from './optimizer';
import type { TrainConfig } from './train-config';
import { CHECKPOINT_VERSION, manifestDigest } from './validate-manifest';

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
  /** Batches whose update was dropped for a non-finite loss or gradient (`onNonFinite: 'skip'`); absent: 0. */
  skippedBatches?: number;
}

/** The kinds of checkpoint a run keeps: `best` (best test accuracy so far) and `last`. */
export const CHECKPOINT_KINDS = ['best', 'last'] as const;
export type CheckpointKind = (typeof CHECKPOINT_KINDS)[number];

/** The JSON manifest of a checkpoint; the tensors are in the binary file `weights.file`. */
export interface CheckpointManifest {
  format: 'gcnn-checkpoint';
  /** 2 (written now): with {@link CheckpointManifest.manifestSha256}; 1: read without it. */
  version: 1 | 2;
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
  /**
   * SHA-256 of the manifest's canonical JSON without this field (`manifestDigest`): covers the
   * weights index, progress, RNG and optimizer state and configs, which `weights.sha256` does not.
   */
  manifestSha256?: string;
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
    version: CHECKPOINT_VERSION,
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
  manifest.manifestSha256 = (await manifestDigest(manifest)) as string;
  return { manifest, bytes };
}

/** A verified, decoded checkpoint: the manifest and its tensors split by owner. */
export interface LoadedCheckpoint {
  manifest: CheckpointManifest;
  /** The manifest's file (or another name of its source), for messages. */
  source: string;
  /** Model variables by name (owned by the caller: dispose with {@link disposeCheckpoint}). */
  model: Record<string, tf.Tensor>;
  /** Optimizer slots by `slot/variable`. */
  optimizer: Record<string, tf.Tensor>;
}

/** The files a checkpoint was read from, for messages (default: the names the manifest records). */
export interface CheckpointSource {
  manifest: string;
  weights: string;
}

/**
 * Verifies a manifest (checked by `validateManifest`) and the bytes of its weights file — the
 * manifest's own hash (version 2), the file's length and SHA-256, every entry by the
 * `@gcnn/weights` codec (bounds, names `model/…` or `optimizer/…`, finite values) — and decodes
 * them. Nothing is created on error; every error names the file and the entry.
 */
export async function decodeCheckpoint(
  manifest: CheckpointManifest,
  bytes: Uint8Array,
  source: CheckpointSource = { manifest: `${manifest.kind}.json`, weights: manifest.weights.file },
): Promise<LoadedCheckpoint> {
  if (manifest.version === CHECKPOINT_VERSION) {
    const digest = await manifestDigest(manifest);
    if (digest !== null && digest !== manifest.manifestSha256)
      throw new Error(
        `Error in checkpoint: manifest '${source.manifest}' does not match its manifestSha256 (an entry was edited or the file is corrupt: the weights index, progress, RNG or optimizer state, or a config)`,
      );
  }
  const specs = await checkCheckpointWeights(bytes, manifest.weights, source.weights);
  const tensors = decodeWeights(specs, bytes, { op: 'checkpoint', source: source.weights });
  const model: Record<string, tf.Tensor> = {};
  const optimizer: Record<string, tf.Tensor> = {};
  for (const [name, t] of tensors) {
    if (name.startsWith(MODEL_PREFIX)) model[name.slice(MODEL_PREFIX.length)] = t;
    else optimizer[name.slice(OPTIMIZER_PREFIX.length)] = t;
  }
  return { manifest, source: source.manifest, model, optimizer };
}

/** The specs of a weights file, checked against its index (length, SHA-256, layout, names). */
async function checkCheckpointWeights(
  bytes: Uint8Array,
  index: WeightsIndex,
  fileName: string,
): Promise<WeightSpec[]> {
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
  for (const { name } of specs) {
    if (!name.startsWith(MODEL_PREFIX) && !name.startsWith(OPTIMIZER_PREFIX))
      throw new Error(
        `${file} has entry '${name}', expected a name starting with '${MODEL_PREFIX}' or '${OPTIMIZER_PREFIX}'`,
      );
  }
  return specs;
}

/** Disposes the tensors of a loaded checkpoint. */
export function disposeCheckpoint(checkpoint: LoadedCheckpoint): void {
  for (const t of Object.values(checkpoint.model)) t.dispose();
  for (const t of Object.values(checkpoint.optimizer)) t.dispose();
}

/**
 * Loads a checkpoint's model weights (or any `{ model }` map of variable names to tensors) into
 * `model`. The map must hold exactly the model's variables with their shapes and dtypes: every
 * entry is checked before any variable is assigned, and an error names `source` and the entry.
 */
export function loadModelWeights(
  model: {
    namedVariables(): Array<[string, tf.Variable]>;
    setWeights(w: Record<string, tf.Tensor>): void;
  },
  checkpoint: Pick<LoadedCheckpoint, 'model'>,
  source: string,
): void {
  const fail: (what: string) => never = (what) => {
    throw new Error(`Error in checkpoint: '${source}' ${what}`);
  };
  const own = new Map(model.namedVariables());
  const missing = [...own.keys()].filter((name) => !Object.hasOwn(checkpoint.model, name));
  if (missing.length > 0)
    fail(
      `has no entry for model variable(s) ${missing
        .slice(0, 5)
        .map((n) => `'${n}'`)
        .join(', ')}${missing.length > 5 ? `, … (${missing.length} in all)` : ''}`,
    );
  for (const [name, t] of Object.entries(checkpoint.model)) {
    const v = own.get(name);
    if (!v) fail(`has the entry '${name}', which is not a variable of the model`);
    if (t.dtype !== v.dtype || t.shape.join() !== v.shape.join())
      fail(
        `entry '${name}' is ${t.dtype} [${t.shape}], the model's variable is ${v.dtype} [${v.shape}]`,
      );
  }
  model.setWeights(checkpoint.model);
}
