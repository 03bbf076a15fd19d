import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { createDataset, type Dataset } from '../../dataset';

const MAGIC = 'GCNNDS1\n';

interface SplitEntry {
  name: string;
  datasetName: string;
  count: number;
  height: number;
  width: number;
  channels: number;
  numClasses: number;
}

interface CacheHeader {
  key: unknown;
  splits: SplitEntry[];
  payloadBytes: number;
  sha256: string;
}

/** Result of {@link readDatasetCache}: the datasets, or why the file cannot be used. */
export type CacheRead =
  | { ok: true; datasets: Record<string, Dataset> }
  | { ok: false; reason: string };

/**
 * Cache file layout: `GCNNDS1\n`, uint32 LE header length, UTF-8 JSON header (`key` — generator
 * name, version, protocol, seed, limit —, splits, payload size and SHA-256), then per split its uint8
 * images and uint8 labels.
 */
export function writeDatasetCache(
  path: string,
  key: unknown,
  datasets: Record<string, Dataset>,
): void {
  const splits: SplitEntry[] = [];
  const parts: Uint8Array[] = [];
  const hash = createHash('sha256');
  for (const [name, d] of Object.entries(datasets)) {
    if (!(d.images instanceof Uint8Array))
      throw new Error(`Error in writeDatasetCache: dataset '${d.name}' must hold uint8 images`);
    const labels = Uint8Array.from(d.labels);
    splits.push({
      name,
      datasetName: d.name,
      count: d.count,
      height: d.height,
      width: d.width,
      channels: d.channels,
      numClasses: d.numClasses,
    });
    parts.push(d.images, labels);
    hash.update(d.images);
    hash.update(labels);
  }
  const payloadBytes = parts.reduce((a, p) => a + p.length, 0);
  const header: CacheHeader = { key, splits, payloadBytes, sha256: hash.digest('hex') };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const prefix = new Uint8Array(12);
  prefix.set(new TextEncoder().encode(MAGIC));
  new DataView(prefix.buffer).setUint32(8, json.length, true);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  const fd = openSync(tmp, 'w');
  try {
    for (const p of [prefix, json, ...parts]) writeSync(fd, p);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Reads a cache written by {@link writeDatasetCache}, checking magic, `key`, sizes and SHA-256. */
export function readDatasetCache(path: string, key: unknown): CacheRead {
  if (!existsSync(path)) return { ok: false, reason: 'no cache file' };
  const buf = readFileSync(path);
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    return { ok: false, reason: `bad magic at offset 0, expected ${JSON.stringify(MAGIC)}` };
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  let header: CacheHeader;
  try {
    header = JSON.parse(
      new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)),
    ) as CacheHeader;
  } catch {
    return { ok: false, reason: 'unreadable JSON header at offset 12' };
  }
  if (JSON.stringify(header.key) !== JSON.stringify(key)) {
    return {
      ok: false,
      reason: `stale: header records ${JSON.stringify(header.key)}, expected ${JSON.stringify(key)}`,
    };
  }
  const start = 12 + headerLength;
  if (bytes.length !== start + header.payloadBytes) {
    return {
      ok: false,
      reason: `file has ${bytes.length} bytes, expected ${start + header.payloadBytes}`,
    };
  }
  const payload = bytes.subarray(start);
  if (createHash('sha256').update(payload).digest('hex') !== header.sha256) {
    return { ok: false, reason: 'payload SHA-256 does not match the header' };
  }
  const datasets: Record<string, Dataset> = {};
  let offset = 0;
  try {
    for (const s of header.splits) {
      const n = s.count * s.height * s.width * s.channels;
      const images = payload.slice(offset, offset + n);
      const labels = payload.slice(offset + n, offset + n + s.count);
      offset += n + s.count;
      datasets[s.name] = createDataset({ ...s, name: s.datasetName, images, labels });
    }
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  return { ok: true, datasets };
}
