/**
 * @file A tf.io handler for the local file system (tfjs-core has none without tfjs-node), and the
 * `file://` router that makes `saveModel(model, 'file://dir')`, `loadModel('file://dir/model.json')`
 * and tfjs's own `model.save('file://…')` use it. Node only.
 *
 * Writes a standard tfjs model folder: `model.json` plus weight shards of at most 4 MB
 * (`group1-shard1of3.bin`, …, the names tfjs-converter uses). Reads one back checking, before
 * any weights are read, that every shard named by the manifest is a plain file beside
 * `model.json` and that their sizes add up to what the weight specs need.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CodecContext, checkWeightSpecs, concatBytes, fail, short } from '@gcnn/weights';
import * as tf from '@tensorflow/tfjs-core';
import { upgradeModelJson } from '../model-file';

/** Largest weight shard written (tfjs-converter's default, what CDNs and caches expect). */
export const MAX_SHARD_BYTES = 4 * 1024 * 1024;
/** Largest `model.json` read (a hostile one could be any size). */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

/** Options of {@link fileSystem}. */
export interface FileSystemOptions {
  /** Largest shard in bytes (default 4 MB). */
  maxShardBytes?: number;
}

/**
 * A tf.io handler for `path`: a folder (saving writes `model.json` into it; loading reads
 * `model.json` from it) or a `.json` file. `file://` URLs are accepted too.
 */
export function fileSystem(
  path: string,
  options: FileSystemOptions = {},
): tf.io.IOHandler & {
  path: string;
} {
  const local = path.startsWith('file://') ? fileURLToPath(path) : path;
  const jsonPath = local.endsWith('.json') ? resolve(local) : resolve(local, 'model.json');
  return {
    path: jsonPath,
    save: (artifacts) => saveToFiles(jsonPath, artifacts, options.maxShardBytes ?? MAX_SHARD_BYTES),
    load: () => loadFromFiles(jsonPath),
  };
}

let registered = false;

/**
 * Registers `file://` with tf.io for saving and loading (idempotent), so `file://` URLs of a
 * folder or a `.json` file (e.g. `pathToFileURL('models/digits').href`) work in `saveModel`,
 * `loadModel`, tfjs-layers' `model.save` and `tf.loadLayersModel`.
 */
export function registerFileSystemRouter(): void {
  if (registered) return;
  registered = true;
  // tf.io's routers return null for URLs they do not handle (its IORouter type omits it).
  const router = ((url: string | string[]) =>
    typeof url === 'string' && url.startsWith('file://') ? fileSystem(url) : null) as Parameters<
    typeof tf.io.registerSaveRouter
  >[0];
  tf.io.registerSaveRouter(router);
  tf.io.registerLoadRouter(router);
}

async function saveToFiles(
  jsonPath: string,
  artifacts: tf.io.ModelArtifacts,
  maxShardBytes: number,
): Promise<tf.io.SaveResult> {
  if (artifacts.modelTopology instanceof ArrayBuffer)
    throw new Error('Error in fileSystem: binary model topologies are not supported');
  const data = weightData(artifacts.weightData);
  const shards: Uint8Array[] = [];
  for (let at = 0; at < data.byteLength || shards.length === 0; at += maxShardBytes)
    shards.push(data.subarray(at, at + maxShardBytes));
  const paths = shards.map((_, i) => `group1-shard${i + 1}of${shards.length}.bin`);
  const { weightData: _w, weightSpecs, getWeightStream: _s, ...rest } = artifacts;
  const json = { ...rest, weightsManifest: [{ paths, weights: weightSpecs ?? [] }] };
  const dir = dirname(jsonPath);
  await mkdir(dir, { recursive: true });
  await Promise.all(shards.map((s, i) => writeFile(join(dir, paths[i] as string), s)));
  await writeFile(jsonPath, `${JSON.stringify(json)}\n`);
  return {
    modelArtifactsInfo: {
      dateSaved: new Date(),
      modelTopologyType: 'JSON',
      modelTopologyBytes: JSON.stringify(artifacts.modelTopology ?? {}).length,
      weightSpecsBytes: JSON.stringify(weightSpecs ?? []).length,
      weightDataBytes: data.byteLength,
    },
  };
}

async function loadFromFiles(jsonPath: string): Promise<tf.io.ModelArtifacts> {
  const ctx: CodecContext = { op: 'loadModel', source: jsonPath };
  const info = await stat(jsonPath).catch(() => fail(ctx, 'does not exist'));
  if (!info.isFile() || info.size > MAX_JSON_BYTES)
    fail(ctx, `is not a model.json file of at most ${MAX_JSON_BYTES} bytes`);
  const json = upgradeModelJson(await readFile(jsonPath, 'utf8'), jsonPath) as Record<
    string,
    unknown
  >;
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest))
    fail(ctx, 'has no weightsManifest (an array of { paths, weights })');
  const dir = dirname(jsonPath);
  const files: string[] = [];
  const specs: unknown[] = [];
  for (const [i, group] of manifest.entries()) {
    const g = group as Record<string, unknown> | null;
    if (typeof g !== 'object' || g === null || !Array.isArray(g.paths) || !Array.isArray(g.weights))
      fail(ctx, `has weightsManifest[${i}] ${short(group)}, expected { paths, weights }`);
    for (const p of g.paths) files.push(shardPath(dir, p, ctx));
    specs.push(...g.weights);
  }
  const sizes = await Promise.all(
    files.map((f) =>
      stat(f).then(
        (s) =>
          s.isFile()
            ? s.size
            : fail(ctx, `names weight shard '${basename(f)}', which is not a file`),
        () => fail(ctx, `names weight shard '${basename(f)}', which is missing`),
      ),
    ),
  );
  const total = sizes.reduce((a, b) => a + b, 0);
  const weightSpecs = checkWeightSpecs(specs, total, ctx);
  const data = concatBytes(await Promise.all(files.map((f) => readFile(f))));
  const { weightsManifest: _m, ...rest } = json;
  return {
    ...(rest as tf.io.ModelArtifacts),
    weightSpecs,
    weightData: data.buffer as ArrayBuffer,
  };
}

/** A shard path from a manifest: a plain relative name inside the model's folder. */
function shardPath(dir: string, p: unknown, ctx: CodecContext): string {
  if (typeof p !== 'string' || p.length === 0 || isAbsolute(p) || normalize(p).startsWith('..'))
    fail(ctx, `names weight shard ${short(p)}, expected a file name beside model.json`);
  return join(dir, p);
}

function weightData(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  return Array.isArray(data)
    ? concatBytes(data.map((b) => new Uint8Array(b)))
    : new Uint8Array(data);
}
