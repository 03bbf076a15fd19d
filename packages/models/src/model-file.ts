/**
 * @file A model file as two buffers in hand: the `model.json` of {@link modelArtifacts} with one
 * weights file, and gcnn's earlier `version: 1` files (`"weights": { file, byteLength, sha256,
 * entries }`, still in users' hands), which every loader reads by upgrading their JSON with
 * {@link upgradeModelJson}. Browser-safe. To save and load through any tf.io handler (`file://`,
 * `http(s)://`, `indexeddb://`, …) use `saveModel` and `loadModel`.
 */

import {
  type CodecContext,
  fail,
  type OffsetWeightEntry,
  short,
  specsFromEntries,
  type WeightSpec,
} from '@gcnn/weights';
import type * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from './classifier';
import {
  GCNN_MODEL_FORMAT,
  type GcnnModelTopology,
  type LoadedModel,
  type ModelNormalization,
  modelArtifacts,
  modelFromArtifacts,
  type SaveModelOptions,
} from './io/model-artifacts';

/** A weight with its byte range, as `version: 1` model files index them. */
export type ModelFileEntry = OffsetWeightEntry;
/** Per-channel input normalization `(x − mean[c]) / std[c]` of pixels scaled to `[0, 1]`. */
export type ModelFileNormalization = ModelNormalization;

/** The `model.json` of a gcnn model (a tfjs model JSON with a gcnn `modelTopology`). */
export interface ModelFileJson {
  format: 'gcnn-model';
  generatedBy?: string;
  convertedBy?: string | null;
  modelTopology: GcnnModelTopology;
  weightsManifest: Array<{ paths: string[]; weights: WeightSpec[] }>;
  userDefinedMetadata?: Record<string, unknown>;
}

/** The JSON of a `version: 1` model file (written by gcnn before tf.io support). */
export interface LegacyModelFileJson {
  format: 'gcnn-model';
  version: 1;
  modelConfig: unknown;
  normalization: ModelFileNormalization | null;
  metadata: Record<string, unknown>;
  weights: { file: string; byteLength: number; sha256: string; entries: ModelFileEntry[] };
}

/** A model loaded from buffers: {@link LoadedModel} plus the (upgraded) JSON it came from. */
export interface LoadedModelFile extends LoadedModel {
  json: ModelFileJson;
}

/**
 * Encodes a model into `model.json` (with one weights file named `weightsFile`, default
 * `model.weights.bin`) and the bytes of that file. Values are read with `await data()`.
 */
export async function encodeModelFile(
  model: Pick<Classifier, 'config' | 'namedVariables'>,
  options: SaveModelOptions & { weightsFile?: string } = {},
): Promise<{ json: ModelFileJson; bytes: Uint8Array }> {
  const a = await modelArtifacts(model, options);
  return {
    json: {
      format: GCNN_MODEL_FORMAT,
      generatedBy: a.generatedBy as string,
      convertedBy: null,
      modelTopology: a.modelTopology as GcnnModelTopology,
      weightsManifest: [
        {
          paths: [options.weightsFile ?? 'model.weights.bin'],
          weights: a.weightSpecs as WeightSpec[],
        },
      ],
      userDefinedMetadata: options.metadata ?? {},
    },
    bytes: new Uint8Array(a.weightData as ArrayBuffer),
  };
}

/**
 * Parses a `model.json` (text or value) and upgrades a `version: 1` one to the tf.io layout (its
 * entries must be contiguous, as gcnn wrote them; its SHA-256 moves to
 * `modelTopology.weightsSha256`). Other JSON passes unchanged, for the loader to check. Throws
 * naming `source` when the text is not JSON or a version-1 file is malformed.
 */
export function upgradeModelJson(value: unknown, source = 'model.json'): unknown {
  const ctx: CodecContext = { op: 'loadModel', source };
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch (e) {
      fail(ctx, `is not valid JSON (${(e as Error).message})`);
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(ctx, 'is not a JSON object');
  const m = v as Record<string, unknown>;
  if (m.format !== GCNN_MODEL_FORMAT || m.version !== 1) return m;
  const w = m.weights as Record<string, unknown> | null;
  if (typeof w !== 'object' || w === null || typeof w.file !== 'string')
    fail(ctx, "has no complete 'weights' entry (file, byteLength, sha256, entries)");
  if (typeof w.byteLength !== 'number' || !Number.isSafeInteger(w.byteLength) || w.byteLength < 0)
    fail(ctx, `has weights.byteLength ${short(w.byteLength)}, expected a byte count`);
  const specs = specsFromEntries(w.entries, w.byteLength, ctx);
  const topology = {
    version: 2,
    modelConfig: m.modelConfig,
    normalization: m.normalization ?? null,
    ...(w.sha256 !== undefined ? { weightsSha256: w.sha256 } : {}),
  };
  return {
    format: GCNN_MODEL_FORMAT,
    generatedBy: '@gcnn/models (version 1 file)',
    convertedBy: null,
    modelTopology: topology,
    weightsManifest: [{ paths: [w.file], weights: specs }],
    userDefinedMetadata: m.metadata ?? {},
  };
}

/**
 * Checks a model file's JSON (text or value; `version: 1` files are upgraded): format, topology
 * version and a one-group weights manifest. Throws naming `source` and the problem.
 */
export function validateModelFileJson(value: unknown, source = 'model.json'): ModelFileJson {
  const ctx: CodecContext = { op: 'loadModel', source };
  const m = upgradeModelJson(value, source) as Record<string, unknown>;
  if (m.format !== GCNN_MODEL_FORMAT)
    fail(ctx, `has format ${short(m.format)}, expected "${GCNN_MODEL_FORMAT}"`);
  const manifest = m.weightsManifest;
  if (!Array.isArray(manifest) || manifest.length === 0)
    fail(ctx, 'has no weightsManifest (an array of { paths, weights })');
  for (const [i, group] of manifest.entries()) {
    const g = group as Record<string, unknown> | null;
    if (typeof g !== 'object' || g === null || !Array.isArray(g.paths) || !Array.isArray(g.weights))
      fail(ctx, `has weightsManifest[${i}] ${short(group)}, expected { paths, weights }`);
    for (const [j, p] of g.paths.entries())
      if (typeof p !== 'string' || p.length === 0)
        fail(ctx, `has weightsManifest[${i}].paths[${j}] ${short(p)}, expected a file name`);
  }
  return m as unknown as ModelFileJson;
}

/**
 * Builds the model of a model file from its JSON (text or value, either version) and the bytes of
 * its weights (all shards joined in manifest order), checking everything before the first weight
 * tensor (see `modelFromArtifacts`); errors name `source`. Browser-safe.
 *
 * ```ts
 * const { model, predict } = await loadModelFromBuffers(jsonText, await weights.arrayBuffer());
 * const logits = predict(pixels); // pixels in [0, 1]: the file's normalization is applied
 * ```
 */
export async function loadModelFromBuffers(
  json: unknown,
  weights: ArrayBuffer | Uint8Array,
  source = 'model.json',
): Promise<LoadedModelFile> {
  const file = validateModelFileJson(json, source);
  const bytes = weights instanceof Uint8Array ? weights : new Uint8Array(weights);
  const loaded = await modelFromArtifacts(
    {
      format: file.format,
      modelTopology: file.modelTopology,
      weightSpecs: file.weightsManifest.flatMap((g) => g.weights),
      weightData: bytes.slice().buffer as ArrayBuffer,
      userDefinedMetadata: (file.userDefinedMetadata ?? {}) as NonNullable<
        tf.io.ModelArtifacts['userDefinedMetadata']
      >,
    } satisfies tf.io.ModelArtifacts,
    source,
  );
  return { ...loaded, json: file };
}
