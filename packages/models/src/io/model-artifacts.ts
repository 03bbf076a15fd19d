/**
 * @file A gcnn model as tf.io `ModelArtifacts`, and back. The `model.json` a tf.io handler writes
 * from them is a standard tfjs one (a `weightsManifest` of tf.io weight specs, shards that CDNs,
 * caches and tfjs tooling handle) whose `modelTopology` holds the gcnn part:
 *
 * ```json
 * { "format": "gcnn-model", "generatedBy": "@gcnn/models",
 *   "modelTopology": { "version": 2, "modelConfig": { … }, "normalization": { "mean": [0.13], "std": [0.3] } },
 *   "weightsManifest": [{ "paths": ["model.weights.bin"], "weights": [{ "name": "lifting.kernel.sine.0.weight", "shape": [2, 32], "dtype": "float32" }, …] }],
 *   "userDefinedMetadata": { "dataset": "mnist-rot", … } }
 * ```
 *
 * Reading validates everything (config and its resource limits, normalization, every weight spec
 * against the model the config builds, finite values) before a weight tensor exists; a refused
 * file leaves no tensor behind.
 */

import {
  type CodecContext,
  checkWeightSpecs,
  concatBytes,
  decodeWeights,
  encodeWeights,
  fail,
  sha256Hex,
  short,
  type WeightSpec,
} from '@gcnn/weights';
import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '../classifier';
import { createModel } from '../create-model';
import type { GroupClassifier } from '../group-classifier';
import type { ModelConfig } from '../model-config';
import { modelConfigFromJson } from '../model-config-from-json';

/** The `format` of a gcnn model's `model.json`. */
export const GCNN_MODEL_FORMAT = 'gcnn-model';
/** The version of the `modelTopology` this package writes (1 was the two-file format without tf.io). */
export const GCNN_MODEL_VERSION = 2;

/** Per-channel input normalization `(x − mean[c]) / std[c]` of pixels scaled to `[0, 1]`. */
export interface ModelNormalization {
  mean: number[];
  std: number[];
}

/** The `modelTopology` of a gcnn `model.json`. */
export interface GcnnModelTopology {
  version: 2;
  /** The model's `ModelConfig` (read back with `modelConfigFromJson`). */
  modelConfig: ModelConfig;
  /** How pixels in `[0, 1]` are normalized before the model sees them (null: not at all). */
  normalization: ModelNormalization | null;
  /** Lower-case hex SHA-256 of all weight bytes (shards joined), checked on load where WebCrypto exists. */
  weightsSha256?: string;
}

/** What a saved model carries besides its weights. */
export interface SaveModelOptions {
  /** Input normalization (e.g. the training dataset's); `predict` of the loaded model applies it. */
  normalization?: ModelNormalization | null;
  /** Free JSON stored as the artifacts' `userDefinedMetadata`: dataset, class names, accuracy, … */
  metadata?: Record<string, unknown>;
}

/** A model read from a model file. */
export interface LoadedModel {
  /** The classifier (what `createModel` returns) with the file's weights; the caller disposes it. */
  model: GroupClassifier;
  normalization: ModelNormalization | null;
  metadata: Record<string, unknown>;
  /**
   * Pixels in `[0, 1]` `[batch, h, w, inChannels]` → logits `[batch, numClasses]`: the file's
   * normalization, then the model (inference mode, cached kernels).
   */
  predict(pixels: tf.Tensor4D): tf.Tensor2D;
}

/** A model's variables and its config as tf.io artifacts (weights read with `await data()`). */
export async function modelArtifacts(
  model: Pick<Classifier, 'config' | 'namedVariables'>,
  options: SaveModelOptions = {},
): Promise<tf.io.ModelArtifacts> {
  const normalization = options.normalization ?? null;
  if (normalization)
    checkNormalization(normalization, model.config.inChannels, {
      op: 'saveModel',
      source: 'options.normalization',
    });
  const { specs, data } = await encodeWeights(model.namedVariables(), 'saveModel');
  const modelTopology: GcnnModelTopology = {
    version: GCNN_MODEL_VERSION,
    modelConfig: JSON.parse(JSON.stringify(model.config)),
    normalization: normalization ? copyNormalization(normalization) : null,
    ...(await sha256Field(data)),
  };
  return {
    format: GCNN_MODEL_FORMAT,
    generatedBy: '@gcnn/models',
    convertedBy: null,
    modelTopology,
    weightSpecs: specs,
    weightData: data.buffer as ArrayBuffer,
    userDefinedMetadata: (options.metadata ?? {}) as NonNullable<
      tf.io.ModelArtifacts['userDefinedMetadata']
    >,
  };
}

/**
 * Builds the model that artifacts describe, refusing anything wrong before the first weight
 * tensor: format and version, the config (`modelConfigFromJson`, resource limits included), the
 * normalization (finite, std > 0, one per input channel), every weight spec (name, dtype, shape,
 * byte range) and that the specs are exactly the model's variables, then finite values.
 * `source` names the file in errors.
 */
export async function modelFromArtifacts(
  artifacts: tf.io.ModelArtifacts,
  source: string,
  op = 'loadModel',
): Promise<LoadedModel> {
  const ctx: CodecContext = { op, source };
  const topology = readTopology(artifacts, ctx);
  const data = weightBytes(artifacts.weightData, ctx);
  const specs = checkWeightSpecs(artifacts.weightSpecs, data.byteLength, ctx);
  await checkSha256(topology.weightsSha256, data, ctx);
  const metadata = artifacts.userDefinedMetadata ?? {};
  if (typeof metadata !== 'object' || Array.isArray(metadata))
    fail(ctx, `has userDefinedMetadata ${short(metadata)}, expected an object`);
  const model = createModel(topology.modelConfig);
  try {
    matchVariables(model, specs, ctx);
    const tensors = decodeWeights(specs, data, ctx);
    try {
      model.setWeights(Object.fromEntries(tensors));
    } finally {
      tf.dispose([...tensors.values()]);
    }
  } catch (error) {
    model.dispose();
    throw error;
  }
  return loadedModel(model, topology.normalization, metadata as Record<string, unknown>);
}

function loadedModel(
  model: GroupClassifier,
  normalization: ModelNormalization | null,
  metadata: Record<string, unknown>,
): LoadedModel {
  return {
    model,
    normalization,
    metadata,
    predict: (pixels) =>
      tf.tidy(() => {
        const x = normalization
          ? tf.div(tf.sub(pixels, normalization.mean), normalization.std)
          : pixels;
        return model.apply(x as tf.Tensor4D);
      }),
  };
}

function readTopology(artifacts: tf.io.ModelArtifacts, ctx: CodecContext): GcnnModelTopology {
  if (artifacts.format !== GCNN_MODEL_FORMAT)
    fail(
      ctx,
      `has format ${short(artifacts.format)}, expected "${GCNN_MODEL_FORMAT}"${artifacts.format === 'graph-model' ? ' (a graph model: load it with loadGraphModel of @tensorflow/tfjs-converter)' : ''}`,
    );
  const t = artifacts.modelTopology;
  if (typeof t !== 'object' || t === null || Array.isArray(t) || t instanceof ArrayBuffer)
    fail(ctx, 'has no modelTopology object');
  const topology = t as Record<string, unknown>;
  if (topology.version !== GCNN_MODEL_VERSION)
    fail(
      ctx,
      `has modelTopology.version ${short(topology.version)}, expected ${GCNN_MODEL_VERSION} (a newer gcnn wrote it?)`,
    );
  let modelConfig: ModelConfig;
  try {
    modelConfig = modelConfigFromJson(topology.modelConfig);
  } catch (e) {
    fail(ctx, `has an invalid modelTopology.modelConfig: ${(e as Error).message}`);
  }
  const n = topology.normalization ?? null;
  if (n !== null) checkNormalization(n, modelConfig.inChannels, ctx);
  const sha = topology.weightsSha256;
  if (sha !== undefined && (typeof sha !== 'string' || !/^[0-9a-f]{64}$/.test(sha)))
    fail(ctx, `has modelTopology.weightsSha256 ${short(sha)}, expected 64 lower-case hex digits`);
  return {
    version: GCNN_MODEL_VERSION,
    modelConfig,
    normalization: n === null ? null : copyNormalization(n as ModelNormalization),
    ...(sha !== undefined ? { weightsSha256: sha as string } : {}),
  };
}

async function sha256Field(data: Uint8Array): Promise<{ weightsSha256?: string }> {
  const sha = await sha256Hex(data);
  return sha === null ? {} : { weightsSha256: sha };
}

/** Compares the weights' SHA-256 with the recorded one (skipped where WebCrypto is missing). */
async function checkSha256(expected: string | undefined, data: Uint8Array, ctx: CodecContext) {
  if (expected === undefined) return;
  const sha = await sha256Hex(data);
  if (sha !== null && sha !== expected)
    fail(ctx, `expects weights with SHA-256 ${expected}, got ${sha} (corrupt or replaced shard)`);
}

/** Checks a normalization: `mean` and `std` arrays of `inChannels` finite numbers, std > 0. */
export function checkNormalization(value: unknown, inChannels: number, ctx: CodecContext): void {
  const at = 'normalization';
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(ctx, `has ${at} ${short(value)}, expected { mean, std } or null`);
  const { mean, std } = value as Record<string, unknown>;
  for (const [key, v] of [
    ['mean', mean],
    ['std', std],
  ] as const) {
    if (!Array.isArray(v) || v.length !== inChannels)
      fail(
        ctx,
        `has ${at}.${key} ${short(v)}, expected ${inChannels} numbers (one per input channel)`,
      );
    for (const [i, x] of v.entries()) {
      if (typeof x !== 'number' || !Number.isFinite(x) || (key === 'std' && x <= 0))
        fail(
          ctx,
          `has ${at}.${key}[${i}] = ${short(x)}, expected a finite number${key === 'std' ? ' > 0' : ''}`,
        );
    }
  }
}

function copyNormalization(n: ModelNormalization): ModelNormalization {
  return { mean: [...n.mean], std: [...n.std] };
}

/** The artifacts' weight data as one byte array (tf.io may hand over several buffers). */
function weightBytes(data: tf.io.WeightData | undefined, ctx: CodecContext): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data) && data.every((b) => b instanceof ArrayBuffer))
    return concatBytes(data.map((b) => new Uint8Array(b)));
  return fail(ctx, 'has no weight data');
}

/** The specs must be exactly the model's variables, in any order, with their shapes and dtypes. */
function matchVariables(model: GroupClassifier, specs: readonly WeightSpec[], ctx: CodecContext) {
  const variables = new Map(model.namedVariables());
  for (const [i, spec] of specs.entries()) {
    const v = variables.get(spec.name);
    if (!v)
      fail(
        ctx,
        `has weight '${spec.name}' (entry ${i}) that the model of its config does not have`,
      );
    if (v.shape.join() !== spec.shape.join() || v.dtype !== spec.dtype)
      fail(
        ctx,
        `has weight '${spec.name}' (entry ${i}) of shape [${spec.shape}] ${spec.dtype}, the model expects [${v.shape}] ${v.dtype}`,
      );
  }
  const listed = new Set(specs.map((s) => s.name));
  const missing = [...variables.keys()].filter((name) => !listed.has(name));
  if (missing.length > 0)
    fail(
      ctx,
      `has no weights for model variable${missing.length > 1 ? 's' : ''} ${missing
        .slice(0, 3)
        .map((m) => `'${m}'`)
        .join(', ')}${missing.length > 3 ? `, … (${missing.length} in all)` : ''}`,
    );
}
