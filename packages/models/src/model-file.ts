/**
 * @file A trained model as two browser-loadable files: `model.json` (format, `ModelConfig`, input
 * normalization, free metadata and the index of the weights) and one little-endian float32 weights
 * file. Browser-safe: tfjs-core and WebCrypto only, no `node:*` — the app fetches the two files
 * and calls {@link loadModelFromBuffers}. `gcnn export` (`@gcnn/cli`) writes them from a checkpoint.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from './classifier';
import { createModel } from './create-model';
import { modelConfigFromJson } from './model-config-from-json';

/** Where one tensor lies in the weights file (the layout of `@gcnn/training`'s checkpoints). */
export interface ModelFileEntry {
  /** A model variable name, as `Module.namedVariables()` reports it. */
  name: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  /** Byte offset in the weights file (a multiple of 4). */
  offset: number;
  byteLength: number;
}

/** Per-channel input normalization `(x − mean[c]) / std[c]` of pixels scaled to `[0, 1]`. */
export interface ModelFileNormalization {
  mean: number[];
  std: number[];
}

/** The JSON half of a model file. */
export interface ModelFileJson {
  format: 'gcnn-model';
  version: 1;
  /** The model's `ModelConfig` (read back with `modelConfigFromJson`). */
  modelConfig: unknown;
  /** How images are normalized before the model sees them (null if the exporter did not say). */
  normalization: ModelFileNormalization | null;
  /** Free JSON: dataset, class names, source checkpoint, accuracy, … */
  metadata: Record<string, unknown>;
  weights: {
    /** File name of the weights, relative to the JSON file. */
    file: string;
    byteLength: number;
    /** Lower-case hex SHA-256 of the weights file. */
    sha256: string;
    entries: ModelFileEntry[];
  };
}

/** A model loaded from a model file. */
export interface LoadedModelFile {
  /** A `GroupClassifier` (what `createModel` returns) with the file's weights; the caller disposes it. */
  model: ReturnType<typeof createModel>;
  json: ModelFileJson;
  normalization: ModelFileNormalization | null;
}

const fail = (source: string, what: string): never => {
  throw new Error(`Error in loadModelFromBuffers: model file '${source}' ${what}`);
};

async function sha256Hex(bytes: Uint8Array): Promise<string | null> {
  const subtle = globalThis.crypto?.subtle;
  // WebCrypto exists in Node ≥ 20 and in browsers on secure origins (https, localhost, 127.0.0.1).
  if (!subtle) return null;
  const digest = await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Encodes a model's variables (trainable weights and normalization statistics) into a weights file
 * and the JSON that describes it. Values are read with `await data()`.
 */
export async function encodeModelFile(
  model: Pick<Classifier, 'config' | 'namedVariables'>,
  options: {
    weightsFile?: string;
    normalization?: ModelFileNormalization | null;
    metadata?: Record<string, unknown>;
  } = {},
): Promise<{ json: ModelFileJson; bytes: Uint8Array }> {
  const entries: ModelFileEntry[] = [];
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, v] of model.namedVariables()) {
    if (v.dtype !== 'float32' && v.dtype !== 'int32')
      throw new Error(`Error in encodeModelFile: variable '${name}' has dtype ${v.dtype}`);
    const data = await v.data();
    const typed = v.dtype === 'float32' ? Float32Array.from(data) : Int32Array.from(data);
    const part = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
    entries.push({ name, dtype: v.dtype, shape: [...v.shape], offset, byteLength: part.length });
    parts.push(part);
    offset += part.length;
  }
  const bytes = new Uint8Array(offset);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  const sha256 = await sha256Hex(bytes);
  if (sha256 === null) throw new Error('Error in encodeModelFile: WebCrypto is not available');
  return {
    json: {
      format: 'gcnn-model',
      version: 1,
      modelConfig: JSON.parse(JSON.stringify(model.config)),
      normalization: options.normalization
        ? { mean: [...options.normalization.mean], std: [...options.normalization.std] }
        : null,
      metadata: options.metadata ?? {},
      weights: {
        file: options.weightsFile ?? 'model.weights.bin',
        byteLength: bytes.length,
        sha256,
        entries,
      },
    },
    bytes,
  };
}

/**
 * Checks a model file's JSON (format, version, fields); throws naming `source` and the problem.
 */
export function validateModelFileJson(value: unknown, source = 'model.json'): ModelFileJson {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch (e) {
      fail(source, `is not valid JSON (${(e as Error).message})`);
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(source, 'is not a JSON object');
  const m = v as Record<string, unknown>;
  if (m.format !== 'gcnn-model')
    fail(source, `has format ${JSON.stringify(m.format)}, expected "gcnn-model"`);
  if (m.version !== 1) fail(source, `has version ${JSON.stringify(m.version)}, expected 1`);
  if (typeof m.modelConfig !== 'object' || m.modelConfig === null)
    fail(source, "is missing the entry 'modelConfig'");
  const w = m.weights as Record<string, unknown> | undefined;
  if (
    typeof w !== 'object' ||
    w === null ||
    typeof w.file !== 'string' ||
    typeof w.byteLength !== 'number' ||
    typeof w.sha256 !== 'string' ||
    !Array.isArray(w.entries)
  )
    fail(source, "has no complete 'weights' entry (file, byteLength, sha256, entries)");
  const n = m.normalization as Record<string, unknown> | null | undefined;
  if (n != null && (!Array.isArray(n.mean) || !Array.isArray(n.std)))
    fail(source, "has a 'normalization' entry without mean and std arrays");
  return {
    ...(m as unknown as ModelFileJson),
    normalization: (n ?? null) as ModelFileNormalization | null,
    metadata: (m.metadata ?? {}) as Record<string, unknown>,
  };
}

/**
 * Builds the model of a model file and loads its weights: `json` is the JSON text or value of
 * `model.json`, `weights` the bytes of the weights file it names. Checks the weights' length,
 * SHA-256 (when WebCrypto is available: Node, and browsers on https or localhost) and every entry,
 * and that every model variable has an entry of its shape, before assigning anything; errors name
 * `source` and the problem. Browser-safe.
 *
 * ```ts
 * const [json, bin] = await Promise.all([
 *   fetch('model/model.json').then((r) => r.text()),
 *   fetch('model/model.weights.bin').then((r) => r.arrayBuffer()),
 * ]);
 * const { model, normalization } = await loadModelFromBuffers(json, bin);
 * ```
 */
export async function loadModelFromBuffers(
  json: unknown,
  weights: ArrayBuffer | Uint8Array,
  source = 'model.json',
): Promise<LoadedModelFile> {
  const file = validateModelFileJson(json, source);
  const bytes = weights instanceof Uint8Array ? weights : new Uint8Array(weights);
  const index = file.weights;
  if (bytes.length !== index.byteLength)
    fail(
      source,
      `expects a weights file '${index.file}' of ${index.byteLength} bytes, got ${bytes.length} (truncated or replaced)`,
    );
  const sha = await sha256Hex(bytes);
  if (sha !== null && sha !== index.sha256)
    fail(
      source,
      `expects weights with SHA-256 ${index.sha256}, got ${sha} (corrupt or replaced '${index.file}')`,
    );
  for (const e of index.entries) {
    const size = (e.shape ?? []).reduce((a, b) => a * b, 1);
    if (
      typeof e.name !== 'string' ||
      (e.dtype !== 'float32' && e.dtype !== 'int32') ||
      e.offset % 4 !== 0 ||
      e.byteLength !== size * 4 ||
      e.offset + e.byteLength > bytes.length
    )
      fail(
        source,
        `has entry '${e.name}' (dtype ${e.dtype}, shape [${e.shape}], offset ${e.offset}, ${e.byteLength} bytes) that does not fit the weights file of ${bytes.length} bytes`,
      );
  }
  const config = modelConfigFromJson(file.modelConfig);
  const model = createModel(config);
  try {
    const byName = new Map(index.entries.map((e) => [e.name, e]));
    for (const [name, v] of model.namedVariables()) {
      const e = byName.get(name);
      if (!e) fail(source, `has no weights for model variable '${name}'`);
      else if (e.shape.join() !== v.shape.join())
        fail(source, `has weights '${name}' of shape [${e.shape}], the model expects [${v.shape}]`);
    }
    const buffer = bytes.slice().buffer;
    const tensors: Record<string, tf.Tensor> = {};
    for (const e of index.entries) {
      const n = e.byteLength / 4;
      tensors[e.name] = tf.tensor(
        e.dtype === 'float32'
          ? new Float32Array(buffer, e.offset, n)
          : new Int32Array(buffer, e.offset, n),
        e.shape,
        e.dtype,
      );
    }
    try {
      model.setWeights(tensors);
    } finally {
      tf.dispose(Object.values(tensors));
    }
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { model, json: file, normalization: file.normalization };
}
