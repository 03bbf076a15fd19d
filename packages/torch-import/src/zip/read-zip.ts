/**
 * @file A minimal zip reader for PyTorch checkpoints, written to be safe on hostile input: every
 * offset and size is checked against the file before use, declared sizes are bounded before
 * anything is allocated, entries may not overlap (the overlapping-entry zip bomb), inflation stops
 * at the declared size, and every entry's CRC-32 is verified. PyTorch stores its entries
 * uncompressed (method 0), 64-byte aligned, with zip64 end records; deflate (method 8) is read too,
 * for archives repacked by other tools. Encryption, multi-disk archives and other methods are
 * refused. Browser-safe (fflate's pure-JS inflate).
 */
import { Inflate } from 'fflate';
import { type CheckpointLocation, TorchCheckpointError } from '../errors';
import { crc32 } from './crc32';

/** One file of a zip archive, as its central directory describes it. */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: 0 | 8;
  crc32: number;
  compressedSize: number;
  /** Size once decompressed. */
  size: number;
  /** Offset of the entry's local header in the archive. */
  headerOffset: number;
  /** Offset of the entry's (compressed) data in the archive. */
  dataOffset: number;
}

/** A zip archive opened by {@link readZip}: its entries, and their bytes on demand. */
export interface ZipArchive {
  readonly entries: ReadonlyMap<string, ZipEntry>;
  /** The decompressed, CRC-checked bytes of an entry (a view into the archive when stored). */
  read(name: string): Uint8Array;
}

const OP = 'readZip';
const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** Deflate cannot expand more than 1032:1 (258-byte matches at one bit each); more is a lie. */
const MAX_DEFLATE_RATIO = 1032;
/** Compressed bytes pushed into the inflater at a time, so one push yields at most ~1 MiB. */
const INFLATE_CHUNK = 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

class Reader {
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly where: CheckpointLocation,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(offset: number, what: string): never {
    throw new TorchCheckpointError(OP, { ...this.where, offset }, what);
  }

  /** Checks that `[offset, offset + length)` lies in the file; `what` names the structure. */
  need(offset: number, length: number, what: string): void {
    if (offset < 0 || length < 0 || offset + length > this.bytes.length)
      this.fail(
        offset,
        `${what} (${length} bytes) runs past the end of the file (${this.bytes.length} bytes): truncated or corrupt`,
      );
  }

  u16 = (o: number) => this.view.getUint16(o, true);
  u32 = (o: number) => this.view.getUint32(o, true);
  u64(o: number, what: string): number {
    const v = this.view.getBigUint64(o, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(o, `${what} ${v} is too large`);
    return Number(v);
  }
}

/** Where the central directory lies: from the end record, or its zip64 version when the end record says so. */
function centralDirectory(r: Reader): { count: number; offset: number; size: number; end: number } {
  const { bytes } = r;
  let eocd = -1;
  for (let p = bytes.length - 22; p >= Math.max(0, bytes.length - 22 - 0xffff); p--) {
    if (r.u32(p) === EOCD && p + 22 + r.u16(p + 20) === bytes.length) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0)
    r.fail(
      bytes.length,
      'has no zip end-of-central-directory record: not a zip archive, or truncated',
    );
  if (r.u16(eocd + 4) !== 0 || r.u16(eocd + 6) !== 0)
    r.fail(eocd, 'is a multi-disk zip archive, which is not supported');
  let count = r.u16(eocd + 10);
  let size = r.u32(eocd + 12);
  let offset = r.u32(eocd + 16);
  let end = eocd;
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || r.u32(loc) !== ZIP64_LOCATOR)
      r.fail(eocd, 'has an end record that points to a zip64 record, but no zip64 locator');
    const rec = r.u64(loc + 8, 'zip64 end record offset');
    r.need(rec, 56, 'the zip64 end record');
    if (r.u32(rec) !== ZIP64_EOCD) r.fail(rec, 'has no zip64 end record where its locator points');
    count = r.u64(rec + 32, 'zip64 entry count');
    size = r.u64(rec + 40, 'zip64 central directory size');
    offset = r.u64(rec + 48, 'zip64 central directory offset');
    end = rec;
  }
  if (offset + size > end)
    r.fail(offset, `has a central directory (${size} bytes) that overlaps its end record`);
  if (count * 46 > size)
    r.fail(offset, `declares ${count} entries in a central directory of only ${size} bytes`);
  return { count, offset, size, end };
}

/** Reads the zip64 extra field (id 1) values for the 32-bit fields that hold the sentinel 0xFFFFFFFF. */
function zip64Sizes(
  r: Reader,
  extra: number,
  extraLength: number,
  fields: { size: number; compressedSize: number; headerOffset: number },
): void {
  const keys = (['size', 'compressedSize', 'headerOffset'] as const).filter(
    (k) => fields[k] === 0xffffffff,
  );
  if (keys.length === 0) return;
  for (let p = extra; p + 4 <= extra + extraLength; ) {
    const id = r.u16(p);
    const len = r.u16(p + 2);
    if (p + 4 + len > extra + extraLength) break;
    if (id === 1) {
      if (len < keys.length * 8) r.fail(p, 'has a zip64 extra field too short for its sizes');
      keys.forEach((k, i) => {
        fields[k] = r.u64(p + 4 + 8 * i, `zip64 ${k}`);
      });
      return;
    }
    p += 4 + len;
  }
  r.fail(extra, 'has 32-bit sizes of 0xFFFFFFFF but no zip64 extra field');
}

/** One central directory record at `p`, checked against its local header. Returns the entry and the record's length. */
function centralEntry(r: Reader, p: number, cdEnd: number): { entry: ZipEntry; length: number } {
  if (p + 46 > cdEnd || r.u32(p) !== CENTRAL)
    r.fail(p, 'has a damaged central directory (no entry signature where one should be)');
  const flags = r.u16(p + 8);
  const method = r.u16(p + 10);
  const nameLength = r.u16(p + 28);
  const extraLength = r.u16(p + 30);
  const length = 46 + nameLength + extraLength + r.u16(p + 32);
  if (p + length > cdEnd) r.fail(p, 'has a central directory entry that runs past the directory');
  let name: string;
  try {
    name = utf8.decode(r.bytes.subarray(p + 46, p + 46 + nameLength));
  } catch {
    r.fail(p + 46, 'has an entry name that is not UTF-8');
  }
  if (flags & 0x41) r.fail(p, `has an encrypted entry '${name}', which cannot be read`);
  if (method !== 0 && method !== 8)
    r.fail(
      p,
      `has entry '${name}' compressed with method ${method}; only stored (0) and deflate (8) are read`,
    );
  if (r.u16(p + 34) !== 0) r.fail(p, `has entry '${name}' on another disk`);
  const fields = {
    size: r.u32(p + 24),
    compressedSize: r.u32(p + 20),
    headerOffset: r.u32(p + 42),
  };
  zip64Sizes(r, p + 46 + nameLength, extraLength, fields);
  const h = fields.headerOffset;
  r.need(h, 30, `the local header of '${name}'`);
  if (r.u32(h) !== LOCAL) r.fail(h, `has no local header for '${name}' where the directory says`);
  const localName = r.bytes.subarray(h + 30, h + 30 + r.u16(h + 26));
  const cdName = r.bytes.subarray(p + 46, p + 46 + nameLength);
  if (localName.length !== cdName.length || localName.some((b, i) => b !== cdName[i]))
    r.fail(h, `has a local header whose name differs from the directory's '${name}'`);
  const dataOffset = h + 30 + r.u16(h + 26) + r.u16(h + 28);
  const entry: ZipEntry = { name, method, crc32: r.u32(p + 16), ...fields, dataOffset };
  return { entry, length };
}

/** Size checks of one entry before anything is read: stored sizes agree, deflate ratios are possible. */
function checkSizes(r: Reader, e: ZipEntry, cdOffset: number): void {
  if (e.dataOffset + e.compressedSize > cdOffset)
    r.fail(
      e.dataOffset,
      `has entry '${e.name}' (${e.compressedSize} bytes) running into the central directory`,
    );
  if (e.method === 0 && e.compressedSize !== e.size)
    r.fail(
      e.headerOffset,
      `has stored entry '${e.name}' with sizes ${e.compressedSize} and ${e.size}`,
    );
  if (e.method === 8 && e.size > e.compressedSize * MAX_DEFLATE_RATIO + 1024)
    r.fail(
      e.headerOffset,
      `has entry '${e.name}' declaring ${e.size} bytes from ${e.compressedSize} compressed, beyond deflate's ${MAX_DEFLATE_RATIO}:1 (a zip bomb or corrupt sizes)`,
    );
}

/**
 * Opens a zip archive held in memory: reads and checks its central directory and every entry's
 * local header, sizes and placement; reads no entry data yet ({@link ZipArchive.read} does, one
 * entry at a time). Throws a {@link TorchCheckpointError} naming `where.source` and the offset for
 * anything malformed, for entries that overlap, and when the entries would decompress to more
 * than `maxBytes` together.
 */
export function readZip(
  bytes: Uint8Array,
  where: CheckpointLocation,
  maxBytes: number,
): ZipArchive {
  const r = new Reader(bytes, where);
  if (bytes.length < 22) r.fail(0, `is ${bytes.length} bytes long, too short for a zip archive`);
  const cd = centralDirectory(r);
  const entries = new Map<string, ZipEntry>();
  let total = 0;
  for (let i = 0, p = cd.offset; i < cd.count; i++) {
    const { entry, length } = centralEntry(r, p, cd.offset + cd.size);
    if (entries.has(entry.name)) r.fail(p, `has two entries named '${entry.name}'`);
    checkSizes(r, entry, cd.offset);
    total += entry.size;
    if (total > maxBytes)
      r.fail(
        p,
        `would decompress to more than ${maxBytes} bytes (the maxBytes limit; entry '${entry.name}' declares ${entry.size})`,
      );
    entries.set(entry.name, entry);
    p += length;
  }
  const sorted = [...entries.values()].sort((a, b) => a.headerOffset - b.headerOffset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1] as ZipEntry;
    const next = sorted[i] as ZipEntry;
    if (prev.dataOffset + prev.compressedSize > next.headerOffset)
      r.fail(
        next.headerOffset,
        `has entries '${prev.name}' and '${next.name}' that overlap (a zip bomb or corrupt offsets)`,
      );
  }
  return { entries, read: (name) => readEntry(r, entries, name) };
}

function readEntry(r: Reader, entries: ReadonlyMap<string, ZipEntry>, name: string): Uint8Array {
  const e = entries.get(name);
  if (!e) throw new TorchCheckpointError(OP, r.where, `has no entry '${name}'`);
  const data = r.bytes.subarray(e.dataOffset, e.dataOffset + e.compressedSize);
  const out = e.method === 0 ? data : inflateBounded(r, e, data);
  if (crc32(out) !== e.crc32)
    r.fail(e.dataOffset, `has entry '${e.name}' whose CRC-32 does not match: corrupt`);
  return out;
}

/** Inflates a deflated entry into exactly `e.size` bytes; more or fewer is an error, and output stops at the bound. */
function inflateBounded(r: Reader, e: ZipEntry, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(e.size);
  let at = 0;
  const inflater = new Inflate((chunk) => {
    if (at + chunk.length > e.size)
      r.fail(
        e.dataOffset,
        `has entry '${e.name}' inflating to more than its declared ${e.size} bytes (a zip bomb or corrupt sizes)`,
      );
    out.set(chunk, at);
    at += chunk.length;
  });
  try {
    if (data.length === 0) inflater.push(data, true);
    for (let i = 0; i < data.length; i += INFLATE_CHUNK)
      inflater.push(data.subarray(i, i + INFLATE_CHUNK), i + INFLATE_CHUNK >= data.length);
  } catch (error) {
    if (error instanceof TorchCheckpointError) throw error;
    r.fail(
      e.dataOffset,
      `has entry '${e.name}' that is not a valid deflate stream (${(error as Error).message})`,
    );
  }
  if (at !== e.size)
    r.fail(
      e.dataOffset,
      `has entry '${e.name}' inflating to ${at} bytes, not its declared ${e.size}: truncated or corrupt`,
    );
  return out;
}
