import { hex32, quoteFile } from './internal/describe-file';
import { maybeGunzip } from './maybe-gunzip';

/** Values of an IDX file, typed by its type code. */
export type IdxData =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Float32Array
  | Float64Array;

/** A parsed IDX file: `shape` from its header, `data` flattened row-major. */
export interface IdxArray {
  readonly shape: readonly number[];
  readonly data: IdxData;
}

const TYPES: Record<number, { name: string; size: number }> = {
  8: { name: 'uint8', size: 1 },
  9: { name: 'int8', size: 1 },
  11: { name: 'int16', size: 2 },
  12: { name: 'int32', size: 4 },
  13: { name: 'float32', size: 4 },
  14: { name: 'float64', size: 8 },
};

/** Options of {@link parseIdx}. */
export interface ParseIdxOptions {
  /** File name for error messages. */
  file?: string;
  /** Required rank; with `uint8` data the magic number must then be `0x0000080<rank>`. */
  expectedRank?: number;
}

/**
 * Parses an IDX file (the MNIST / Fashion-MNIST format, optionally gzipped): a big-endian magic
 * number `00 00 <type> <rank>`, `rank` big-endian uint32 dimensions, then the values (big-endian).
 * Throws, naming the file and offset, on a wrong magic number, a truncated file or trailing bytes.
 */
export function parseIdx(bytes: Uint8Array, options: ParseIdxOptions = {}): IdxArray {
  const file = quoteFile(options.file ?? '<bytes>');
  const raw = maybeGunzip(bytes, options.file ?? '<bytes>');
  const where = `Error in parseIdx: file ${file}`;
  if (raw.length < 4)
    throw new Error(`${where} has ${raw.length} bytes, expected at least a 4-byte IDX header`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const magic = view.getUint32(0);
  const typeCode = raw[2] as number;
  const rank = raw[3] as number;
  const type = TYPES[typeCode];
  if (options.expectedRank !== undefined) {
    const expected = 0x0800 | options.expectedRank;
    if (magic !== expected) {
      const what =
        options.expectedRank === 1
          ? 'labels'
          : options.expectedRank === 3
            ? 'images'
            : `rank ${options.expectedRank}`;
      throw new Error(
        `${where} has magic number ${hex32(magic)} at offset 0, expected ${hex32(expected)} (${what})`,
      );
    }
  }
  if (raw[0] !== 0 || raw[1] !== 0 || !type || rank === 0) {
    throw new Error(
      `${where} has magic number ${hex32(magic)} at offset 0, expected 0x0000TTRR with a known type TT (08, 09, 0b, 0c, 0d, 0e) and rank RR ≥ 1`,
    );
  }
  const headerSize = 4 + 4 * rank;
  if (raw.length < headerSize) {
    throw new Error(
      `${where} is truncated: ${raw.length} bytes, expected a ${headerSize}-byte header for rank ${rank}`,
    );
  }
  const shape: number[] = [];
  for (let d = 0; d < rank; d++) shape.push(view.getUint32(4 + 4 * d));
  const count = shape.reduce((a, b) => a * b, 1);
  const expectedBytes = headerSize + count * type.size;
  if (raw.length !== expectedBytes) {
    throw new Error(
      `${where} has ${raw.length} bytes, expected ${headerSize} (header) + ${shape.join('·')}·${type.size} = ${expectedBytes} for ${type.name} data of shape [${shape.join(', ')}]${raw.length < expectedBytes ? ' (truncated)' : ' (trailing bytes)'}`,
    );
  }
  return { shape, data: readValues(view, headerSize, count, typeCode, raw) };
}

function readValues(
  view: DataView,
  offset: number,
  count: number,
  typeCode: number,
  raw: Uint8Array,
): IdxData {
  switch (typeCode) {
    case 0x08:
      return raw.slice(offset, offset + count);
    case 0x09:
      return new Int8Array(raw.slice(offset, offset + count).buffer);
    case 0x0b: {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i);
      return out;
    }
    case 0x0c: {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i);
      return out;
    }
    case 0x0d: {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i);
      return out;
    }
    default: {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i);
      return out;
    }
  }
}
