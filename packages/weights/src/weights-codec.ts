/**
 * @file The one weights codec of gcnn: named float32/int32 tensors ↔ one little-endian buffer plus
 * tf.io weight specs (`{ name, shape, dtype }`, in buffer order, no gaps), as in a tfjs
 * `model.json`'s `weightsManifest`. Model files, graph-model exports and training checkpoints all
 * use it. Decoding checks every spec against the buffer *before* any tensor is made and refuses
 * non-finite values; errors name the file and the entry.
 */
import * as tf from '@tensorflow/tfjs-core';

/** A tf.io weight spec as gcnn writes it: float32 or int32, no quantization. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
}

/** Bounds applied while decoding (see {@link checkWeightSpecs}). */
export interface WeightLimits {
  /** Most specs a file may hold (default 65,536). */
  maxEntries?: number;
  /** Most elements one tensor may hold (default 2²⁸, 1 GiB of float32). */
  maxElements?: number;
}

const DEFAULT_MAX_ENTRIES = 65_536;
const DEFAULT_MAX_ELEMENTS = 2 ** 28;
const MAX_RANK = 8;
/** Names that would reach an object's prototype if used as keys. */
const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/** Where an error happened: the operation and the file (`source`). */
export interface CodecContext {
  op: string;
  source: string;
}

/** Throws `Error in <op>: '<source>' <what>`. */
export function fail(ctx: CodecContext, what: string): never {
  throw new Error(`Error in ${ctx.op}: '${ctx.source}' ${what}`);
}

/**
 * Encodes named tensors into one buffer and their specs, in the given order. Values are read with
 * `await data()` (no synchronous read, so it works on every backend). A float32 value that is NaN
 * or ±Infinity is refused (naming the tensor and the index): {@link decodeWeights} would refuse
 * the file.
 */
export async function encodeWeights(
  named: ReadonlyArray<readonly [string, tf.Tensor]>,
  op = 'encodeWeights',
): Promise<{ specs: WeightSpec[]; data: Uint8Array }> {
  const specs: WeightSpec[] = [];
  const parts: Uint8Array[] = [];
  const seen = new Set<string>();
  for (const [name, t] of named) {
    if (seen.has(name)) throw new Error(`Error in ${op}: duplicate tensor name '${name}'`);
    seen.add(name);
    if (t.dtype !== 'float32' && t.dtype !== 'int32')
      throw new Error(
        `Error in ${op}: tensor '${name}' has dtype ${t.dtype}; only float32 and int32 are stored`,
      );
    const values = await t.data();
    const typed = t.dtype === 'float32' ? Float32Array.from(values) : Int32Array.from(values);
    const bad = typed instanceof Float32Array ? typed.findIndex((v) => !Number.isFinite(v)) : -1;
    if (bad >= 0)
      throw new Error(
        `Error in ${op}: tensor '${name}' has the non-finite value ${typed[bad]} at index ${bad}; a file with it could not be read back`,
      );
    specs.push({ name, shape: [...t.shape], dtype: t.dtype });
    parts.push(new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength));
  }
  return { specs, data: concatBytes(parts) };
}

/** Joins byte arrays (e.g. weight shards) into one. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** Elements of a checked shape. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Checks untrusted specs against a weights buffer of `byteLength` bytes: an array of at most
 * `maxEntries` objects, each with a unique plain name, dtype float32 or int32, a shape of at most
 * 8 positive integers of at most `maxElements` elements, no quantization; together exactly
 * `byteLength` bytes. Nothing is allocated. Returns clean copies.
 */
export function checkWeightSpecs(
  value: unknown,
  byteLength: number,
  ctx: CodecContext,
  limits: WeightLimits = {},
): WeightSpec[] {
  const maxEntries = limits.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const maxElements = limits.maxElements ?? DEFAULT_MAX_ELEMENTS;
  if (!Array.isArray(value)) fail(ctx, 'has no weight specs (an array of { name, shape, dtype })');
  if (value.length > maxEntries)
    fail(ctx, `lists ${value.length} weights, more than the ${maxEntries} allowed`);
  const specs: WeightSpec[] = [];
  const names = new Set<string>();
  let total = 0;
  for (const [i, raw] of value.entries()) {
    const spec = checkSpec(raw, i, ctx, maxElements);
    if (names.has(spec.name)) fail(ctx, `lists weight '${spec.name}' twice (entry ${i})`);
    names.add(spec.name);
    total += shapeSize(spec.shape) * 4;
    if (total > byteLength)
      fail(
        ctx,
        `weight '${spec.name}' (entry ${i}, shape [${spec.shape}]) ends at byte ${total}, past the end of the ${byteLength} bytes of weights (truncated or missing shard?)`,
      );
    specs.push(spec);
  }
  if (total !== byteLength)
    fail(
      ctx,
      `has ${byteLength} bytes of weights, but its weight specs describe ${total} (extra or replaced shard?)`,
    );
  return specs;
}

function checkSpec(raw: unknown, i: number, ctx: CodecContext, maxElements: number): WeightSpec {
  const entry = `weight entry ${i}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    fail(ctx, `${entry} is ${JSON.stringify(raw)}, expected { name, shape, dtype }`);
  const r = raw as Record<string, unknown>;
  const name = r.name;
  if (typeof name !== 'string' || name.length === 0 || name.length > 512)
    fail(ctx, `${entry} has name ${short(name)}, expected a non-empty string`);
  if (FORBIDDEN_NAMES.has(name)) fail(ctx, `${entry} has the forbidden name '${name}'`);
  const at = `weight '${name}' (entry ${i})`;
  if (r.dtype !== 'float32' && r.dtype !== 'int32')
    fail(ctx, `${at} has dtype ${short(r.dtype)}, expected "float32" or "int32"`);
  if (r.quantization !== undefined) fail(ctx, `${at} is quantized; gcnn reads float32 and int32`);
  const shape = r.shape;
  if (!Array.isArray(shape) || shape.length > MAX_RANK)
    fail(ctx, `${at} has shape ${short(shape)}, expected an array of at most ${MAX_RANK} sizes`);
  let size = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 1)
      fail(ctx, `${at} has shape ${short(shape)}: sizes must be positive integers`);
    size *= d;
    if (size > maxElements)
      fail(ctx, `${at} has shape ${short(shape)}, more than ${maxElements} elements`);
  }
  return { name, shape: [...(shape as number[])], dtype: r.dtype };
}

/** JSON of an untrusted value, cut to 80 characters. */
export function short(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Decodes checked specs over `data` into new tensors, in spec order. Refuses a float32 value that
 * is NaN or ±Infinity (naming the weight and the index) before making any tensor. The caller
 * disposes the tensors.
 */
export function decodeWeights(
  specs: readonly WeightSpec[],
  data: Uint8Array,
  ctx: CodecContext,
): Map<string, tf.Tensor> {
  // One aligned copy; the typed arrays below are views of it.
  const buffer = data.slice().buffer;
  const views: Array<[WeightSpec, Float32Array | Int32Array]> = [];
  let offset = 0;
  for (const spec of specs) {
    const n = shapeSize(spec.shape);
    const view =
      spec.dtype === 'float32'
        ? new Float32Array(buffer, offset, n)
        : new Int32Array(buffer, offset, n);
    if (view instanceof Float32Array) {
      const bad = view.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0)
        fail(ctx, `weight '${spec.name}' has the non-finite value ${view[bad]} at index ${bad}`);
    }
    views.push([spec, view]);
    offset += n * 4;
  }
  const out = new Map<string, tf.Tensor>();
  for (const [spec, view] of views) out.set(spec.name, tf.tensor(view, spec.shape, spec.dtype));
  return out;
}

/** Lower-case hex SHA-256 of `bytes`, or null where WebCrypto is missing (plain-http pages). */
export async function sha256Hex(bytes: Uint8Array): Promise<string | null> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return null;
  const digest = await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A weight with its byte range, as gcnn's `version: 1` files and checkpoints index them. */
export interface OffsetWeightEntry extends WeightSpec {
  /** Byte offset in the weights file (a multiple of 4). */
  offset: number;
  byteLength: number;
}

/** Specs plus the byte ranges they occupy one after another (the offset-indexed layout). */
export function entriesFromSpecs(specs: readonly WeightSpec[]): OffsetWeightEntry[] {
  let offset = 0;
  return specs.map((s) => {
    const byteLength = shapeSize(s.shape) * 4;
    const entry = { ...s, shape: [...s.shape], offset, byteLength };
    offset += byteLength;
    return entry;
  });
}

/**
 * Reads untrusted offset-indexed entries (gcnn `version: 1` model files, checkpoints) as specs:
 * every entry is checked as by {@link checkWeightSpecs}, and must start where the previous one
 * ended with the byte length its shape needs (the layout gcnn writes).
 */
export function specsFromEntries(
  value: unknown,
  byteLength: number,
  ctx: CodecContext,
  limits: WeightLimits = {},
): WeightSpec[] {
  const specs = checkWeightSpecs(value, byteLength, ctx, limits);
  let offset = 0;
  for (const [i, spec] of specs.entries()) {
    const e = (value as Array<Record<string, unknown>>)[i] as Record<string, unknown>;
    const need = shapeSize(spec.shape) * 4;
    if (e.offset !== offset || e.byteLength !== need)
      fail(
        ctx,
        `weight '${spec.name}' (entry ${i}) has offset ${short(e.offset)} and byteLength ${short(e.byteLength)}, expected offset ${offset} and byteLength ${need} (shape [${spec.shape}])`,
      );
    offset += need;
  }
  return specs;
}
