/**
 * @file The checks of a checkpoint manifest read from a file: every entry's type and range, and
 * the hash that covers the whole manifest. A manifest is untrusted input; nothing in it is used
 * before it passed these checks.
 */
import { sha256Hex, short } from '@gcnn/weights';
import type { CheckpointManifest } from './checkpoint';
import { OPTIMIZER_NAMES } from './create-optimizer';
import { validateTrainConfig } from './train-config';

/** The manifest version `encodeCheckpoint` writes (2: with `manifestSha256`). */
export const CHECKPOINT_VERSION = 2;
/** Deepest nesting of objects and arrays a manifest may have (the model config is the deepest part). */
const MAX_DEPTH = 16;
const TOP_LEVEL = new Set([
  'format',
  'version',
  'kind',
  'createdAt',
  'modelConfig',
  'train',
  'progress',
  'optimizer',
  'metrics',
  'weights',
  'manifestSha256',
]);
const SHA256 = /^[0-9a-f]{64}$/;

type Json = Record<string, unknown>;

/**
 * Checks a parsed manifest: format and version (1, or 2 with `manifestSha256`), then every entry
 * — `kind`, `train` (as `validateTrainConfig`), `progress` (position, RNG states, running sums,
 * best, skipped batches), `optimizer` (name matching `train.optimizer`, step matching the
 * progress), `metrics`, the `weights` index header (a plain file name, byte length, SHA-256; the
 * entries themselves are checked against the file by the weights codec). Throws naming `source`
 * and the entry: `Error in checkpoint: manifest 'run/checkpoints/last.json' entry
 * 'progress.epochStartRng' is "x", expected 4 unsigned 32-bit integers, not all 0`. The hash is
 * checked by `decodeCheckpoint` (it needs WebCrypto, which is asynchronous).
 */
export function validateManifest(value: unknown, source: string): CheckpointManifest {
  const fail = (what: string): never => {
    throw new Error(`Error in checkpoint: manifest '${source}' ${what}`);
  };
  const at = entryChecker(fail);
  const m = at.object('', value);
  if (m.format !== 'gcnn-checkpoint')
    fail(`has format ${short(m.format)}, expected "gcnn-checkpoint"`);
  if (m.version !== 1 && m.version !== CHECKPOINT_VERSION)
    fail(`has version ${short(m.version)}, expected 1 or ${CHECKPOINT_VERSION}`);
  if (jsonDepth(m, MAX_DEPTH + 1) > MAX_DEPTH)
    fail(`nests more than ${MAX_DEPTH} levels of objects or arrays`);
  if (m.version === CHECKPOINT_VERSION) {
    const unknown = Object.keys(m).find((k) => !TOP_LEVEL.has(k));
    if (unknown !== undefined) fail(`has the unknown entry '${unknown}'`);
    if (typeof m.manifestSha256 !== 'string' || !SHA256.test(m.manifestSha256))
      at.bad('manifestSha256', m.manifestSha256, 'a lower-case hex SHA-256');
  }
  if (m.kind !== 'best' && m.kind !== 'last') at.bad('kind', m.kind, '"best" or "last"');
  if (typeof m.createdAt !== 'string') at.bad('createdAt', m.createdAt, 'a date string');
  at.object('modelConfig', m.modelConfig);
  try {
    validateTrainConfig(at.object('train', m.train) as never);
  } catch (error) {
    fail(`entry 'train': ${(error as Error).message.replace(/^Error in train: /, '')}`);
  }
  checkProgress(at, m.progress);
  checkOptimizerState(at, m);
  if (m.metrics !== null) {
    const r = at.object('metrics', m.metrics);
    if (r.type !== 'epoch') at.bad('metrics.type', r.type, '"epoch"');
    at.int('metrics.epoch', r.epoch, 0);
    at.int('metrics.step', r.step, 0);
  }
  const w = at.object('weights', m.weights);
  if (typeof w.file !== 'string' || !/^[\w-][\w.-]*$/.test(w.file))
    at.bad('weights.file', w.file, 'a plain file name next to the manifest');
  at.int('weights.byteLength', w.byteLength, 0);
  if (typeof w.sha256 !== 'string' || !SHA256.test(w.sha256))
    at.bad('weights.sha256', w.sha256, 'a lower-case hex SHA-256');
  if (!Array.isArray(w.entries)) at.bad('weights.entries', w.entries, 'an array');
  return value as CheckpointManifest;
}

/** `progress`: where the run stands (see `TrainProgress`). */
function checkProgress(at: EntryChecker, value: unknown): void {
  const p = at.object('progress', value);
  at.int('progress.epoch', p.epoch, 0);
  at.int('progress.nextBatch', p.nextBatch, 0);
  at.int('progress.step', p.step, 0);
  const rng = p.epochStartRng;
  if (
    !Array.isArray(rng) ||
    rng.length !== 4 ||
    !rng.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) ||
    rng.every((w) => w === 0)
  )
    at.bad('progress.epochStartRng', rng, '4 unsigned 32-bit integers, not all 0');
  at.int('progress.modelRng', p.modelRng, 0, 0xffffffff);
  const s = at.object('progress.epochSums', p.epochSums);
  at.number('progress.epochSums.loss', s.loss, -Infinity);
  at.number('progress.epochSums.correct', s.correct, 0);
  at.int('progress.epochSums.seen', s.seen, 0);
  at.int('progress.epochSums.batches', s.batches, 0);
  if (p.best !== null) {
    const b = at.object('progress.best', p.best);
    at.number('progress.best.testAccuracy', b.testAccuracy, 0, 1);
    at.int('progress.best.epoch', b.epoch, 0);
  }
  if (typeof p.finished !== 'boolean') at.bad('progress.finished', p.finished, 'true or false');
  if (p.skippedBatches !== undefined) at.int('progress.skippedBatches', p.skippedBatches, 0);
}

/** `optimizer`: the optimizer of `train.optimizer`, one update per batch not skipped. */
function checkOptimizerState(at: EntryChecker, m: Json): void {
  const o = at.object('optimizer', m.optimizer);
  const train = m.train as { optimizer: { name: string } };
  const progress = m.progress as { step: number; skippedBatches?: number };
  if (!OPTIMIZER_NAMES.includes(o.name as never) || o.name !== train.optimizer.name)
    at.bad('optimizer.name', o.name, `"${train.optimizer.name}" (train.optimizer.name)`);
  const updates = progress.step - (progress.skippedBatches ?? 0);
  if (o.step !== updates)
    at.bad(
      'optimizer.step',
      o.step,
      `${updates}, one update per batch not skipped (progress.step − progress.skippedBatches)`,
    );
  const config = at.object('optimizer.config', o.config);
  for (const [key, v] of Object.entries(config)) {
    if (typeof v !== 'boolean' && (typeof v !== 'number' || !Number.isFinite(v)))
      at.bad(`optimizer.config.${key}`, v, 'a finite number or a boolean');
  }
}

interface EntryChecker {
  bad(entry: string, value: unknown, expected: string): never;
  object(entry: string, value: unknown): Json;
  int(entry: string, value: unknown, min: number, max?: number): void;
  number(entry: string, value: unknown, min: number, max?: number): void;
}

/** Checks of one entry at a time, each failing through `fail` with the entry's path. */
function entryChecker(fail: (what: string) => never): EntryChecker {
  const bad = (entry: string, value: unknown, expected: string): never =>
    fail(
      entry === ''
        ? `is ${short(value)}, expected ${expected}`
        : `entry '${entry}' is ${short(value)}, expected ${expected}`,
    );
  const range = (min: number, max: number) =>
    max === Infinity ? `≥ ${min}` : `in [${min}, ${max}]`;
  return {
    bad,
    object(entry, value) {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        bad(entry, value, entry === '' ? 'a JSON object' : 'an object');
      return value as Json;
    },
    int(entry, value, min, max = Infinity) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
        bad(entry, value, `an integer ${range(min, max)}`);
    },
    number(entry, value, min, max = Infinity) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
        bad(entry, value, min === -Infinity ? 'a finite number' : `a number ${range(min, max)}`);
    },
  };
}

/** Nesting depth of objects and arrays in `value`, counted up to `limit`. */
function jsonDepth(value: unknown, limit: number): number {
  if (typeof value !== 'object' || value === null || limit === 0) return 0;
  let deepest = 0;
  for (const v of Object.values(value)) deepest = Math.max(deepest, jsonDepth(v, limit - 1));
  return deepest + 1;
}

/**
 * The manifest's integrity hash: the SHA-256 of its canonical JSON (keys sorted, no whitespace)
 * without `manifestSha256`. It covers everything the weights file's SHA-256 does not — the
 * weights index, progress, RNG states, optimizer state, configs — and, through `weights.sha256`,
 * the weights. Null where WebCrypto is missing.
 */
export function manifestDigest(manifest: CheckpointManifest): Promise<string | null> {
  const { manifestSha256: _, ...rest } = manifest;
  return sha256Hex(new TextEncoder().encode(canonicalJson(rest)));
}

/** JSON with every object's keys sorted, so that a reformatted file hashes the same. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Json)[k]]),
        )
      : v,
  );
}
