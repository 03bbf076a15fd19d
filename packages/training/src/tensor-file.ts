import * as tf from '@tensorflow/tfjs-core';

/** Where one tensor lies in a weights file. */
export interface TensorEntry {
  name: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  /** Byte offset in the file (a multiple of 4). */
  offset: number;
  byteLength: number;
}

/** The index of a binary weights file, stored in the manifest next to it. */
export interface WeightsIndex {
  /** File name relative to the manifest. */
  file: string;
  byteLength: number;
  /** Lower-case hex SHA-256 of the whole file. */
  sha256: string;
  entries: TensorEntry[];
}

/**
 * Concatenates tensors into one little-endian binary buffer (float32/int32, 4-byte aligned) and
 * its index. Reads the values with `await t.data()` (no synchronous read).
 */
export async function encodeTensors(
  named: ReadonlyArray<readonly [string, tf.Tensor]>,
): Promise<{ bytes: Uint8Array; entries: TensorEntry[] }> {
  const entries: TensorEntry[] = [];
  const parts: Uint8Array[] = [];
  let offset = 0;
  const seen = new Set<string>();
  for (const [name, t] of named) {
    if (seen.has(name)) throw new Error(`Error in encodeTensors: duplicate tensor name '${name}'`);
    seen.add(name);
    if (t.dtype !== 'float32' && t.dtype !== 'int32') {
      throw new Error(
        `Error in encodeTensors: tensor '${name}' has dtype ${t.dtype}; only float32 and int32 are stored`,
      );
    }
    const data = await t.data();
    const typed = t.dtype === 'float32' ? Float32Array.from(data) : Int32Array.from(data);
    const bytes = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
    entries.push({
      name,
      dtype: t.dtype,
      shape: [...t.shape],
      offset,
      byteLength: bytes.byteLength,
    });
    parts.push(bytes);
    offset += bytes.byteLength;
  }
  const out = new Uint8Array(offset);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return { bytes: out, entries };
}

/** Lower-case hex SHA-256 of `bytes` (WebCrypto: Node ≥ 20 and browsers). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Checks `bytes` against `index` (length, SHA-256, every entry inside the file and of the size
 * its shape needs) and decodes the tensors. Errors name `fileName` and what is wrong; nothing is
 * created on error.
 * @returns new tensors by entry name (the caller disposes them)
 */
export async function decodeTensors(
  bytes: Uint8Array,
  index: WeightsIndex,
  fileName: string = index.file,
): Promise<Record<string, tf.Tensor>> {
  if (bytes.byteLength !== index.byteLength) {
    throw new Error(
      `Error in checkpoint: weights file '${fileName}' has ${bytes.byteLength} bytes, the manifest expects ${index.byteLength} (truncated or replaced)`,
    );
  }
  const sha = await sha256Hex(bytes);
  if (sha !== index.sha256) {
    throw new Error(
      `Error in checkpoint: weights file '${fileName}' has SHA-256 ${sha}, the manifest expects ${index.sha256} (corrupt or replaced)`,
    );
  }
  for (const e of index.entries) {
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (
      (e.dtype !== 'float32' && e.dtype !== 'int32') ||
      e.offset % 4 !== 0 ||
      e.byteLength !== size * 4 ||
      e.offset + e.byteLength > bytes.byteLength
    ) {
      throw new Error(
        `Error in checkpoint: entry '${e.name}' of weights file '${fileName}' (dtype ${e.dtype}, shape [${e.shape}], offset ${e.offset}, ${e.byteLength} bytes) does not fit the file of ${bytes.byteLength} bytes`,
      );
    }
  }
  // Copy into an aligned buffer once; typed arrays below are views of it.
  const buffer = bytes.slice().buffer;
  const out: Record<string, tf.Tensor> = {};
  for (const e of index.entries) {
    const n = e.byteLength / 4;
    const values =
      e.dtype === 'float32'
        ? new Float32Array(buffer, e.offset, n)
        : new Int32Array(buffer, e.offset, n);
    out[e.name] = tf.tensor(values, e.shape, e.dtype);
  }
  return out;
}
