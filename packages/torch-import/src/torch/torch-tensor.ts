import { PyOpaque } from '../pickle/py-value';

/** Element types of torch storages that are read, by storage class (`torch.<Name>Storage`). */
export const TORCH_STORAGE_DTYPES = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
} as const;

/** A torch element type that is read. */
export type TorchDtype = (typeof TORCH_STORAGE_DTYPES)[keyof typeof TORCH_STORAGE_DTYPES];

/** Bytes per element of each {@link TorchDtype}. */
export const TORCH_ITEM_SIZE: Readonly<Record<TorchDtype, number>> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/**
 * The values of a tensor, row-major: `Float32Array` for float32 (and float16/bfloat16, widened
 * exactly), `Float64Array`, `BigInt64Array` for int64, `Int32Array`, `Int16Array`, `Int8Array`,
 * and `Uint8Array` for uint8 and bool (0 or 1).
 */
export type TorchTensorValues =
  | Float32Array
  | Float64Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array;

/** A torch storage named by a checkpoint: its archive key, element type and length. */
export class TorchStorage extends PyOpaque {
  constructor(
    readonly key: string,
    readonly dtype: TorchDtype,
    /** Elements (not bytes). */
    readonly numel: number,
    /** Its raw little-endian bytes, `numel × itemSize` long. */
    readonly bytes: Uint8Array,
  ) {
    super();
  }

  describe(): string {
    return `storage '${this.key}' (${this.dtype}, ${this.numel} elements)`;
  }
}

/**
 * A tensor read from a checkpoint: its values copied out of its storage in row-major order (a
 * non-contiguous view, e.g. a transpose or a slice, becomes contiguous), with its shape and torch
 * dtype. Plain data: no tfjs tensor is made until a model takes the values.
 */
export class TorchTensor extends PyOpaque {
  constructor(
    readonly dtype: TorchDtype,
    readonly shape: readonly number[],
    readonly values: TorchTensorValues,
    /** Whether it was saved as an `nn.Parameter` (`torch._utils._rebuild_parameter`). */
    readonly isParameter = false,
  ) {
    super();
  }

  /** Number of elements. */
  get size(): number {
    return this.values.length;
  }

  /** The values as float32, the dtype gcnn's weights use (int64 through Number, exact below 2²⁴). */
  toFloat32(): Float32Array {
    if (this.values instanceof Float32Array) return this.values;
    const out = new Float32Array(this.values.length);
    for (let i = 0; i < out.length; i++) out[i] = Number(this.values[i]);
    return out;
  }

  describe(): string {
    return `${this.isParameter ? 'parameter' : 'tensor'} ${this.dtype}[${this.shape.join(', ')}]`;
  }
}

/** Reads element `i` of little-endian `bytes` as a number (floats widened, int64 as bigint). */
function elementReader(dtype: TorchDtype, view: DataView): (i: number) => number | bigint {
  switch (dtype) {
    case 'float32':
      return (i) => view.getFloat32(4 * i, true);
    case 'float64':
      return (i) => view.getFloat64(8 * i, true);
    case 'float16':
      return (i) => halfToFloat(view.getUint16(2 * i, true));
    case 'bfloat16': {
      // bfloat16 is the top half of a float32.
      const scratch = new DataView(new ArrayBuffer(4));
      return (i) => {
        scratch.setUint32(0, view.getUint16(2 * i, true) << 16, true);
        return scratch.getFloat32(0, true);
      };
    }
    case 'int64':
      return (i) => view.getBigInt64(8 * i, true);
    case 'int32':
      return (i) => view.getInt32(4 * i, true);
    case 'int16':
      return (i) => view.getInt16(2 * i, true);
    case 'int8':
      return (i) => view.getInt8(i);
    case 'uint8':
      return (i) => view.getUint8(i);
    case 'bool':
      return (i) => (view.getUint8(i) !== 0 ? 1 : 0);
  }
}

/** IEEE half → number (exact). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function allocate(dtype: TorchDtype, n: number): TorchTensorValues {
  switch (dtype) {
    case 'float64':
      return new Float64Array(n);
    case 'int64':
      return new BigInt64Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'int16':
      return new Int16Array(n);
    case 'int8':
      return new Int8Array(n);
    case 'uint8':
    case 'bool':
      return new Uint8Array(n);
    default:
      return new Float32Array(n);
  }
}

/**
 * Copies the view `(offset, shape, stride)` of a storage into row-major values. The caller has
 * checked that every index `offset + Σ iₖ·strideₖ` lies inside the storage.
 */
export function copyStridedView(
  storage: TorchStorage,
  offset: number,
  shape: readonly number[],
  stride: readonly number[],
): TorchTensorValues {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = allocate(storage.dtype, n);
  if (n === 0) return out;
  const read = elementReader(
    storage.dtype,
    new DataView(storage.bytes.buffer, storage.bytes.byteOffset, storage.bytes.byteLength),
  );
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let src = offset;
  for (let i = 0; i < n; i++) {
    (out as { [k: number]: number | bigint })[i] = read(src);
    // Odometer over the multi-index, last axis fastest.
    for (let k = rank - 1; k >= 0; k--) {
      index[k] = (index[k] as number) + 1;
      src += stride[k] as number;
      if ((index[k] as number) < (shape[k] as number)) break;
      src -= (shape[k] as number) * (stride[k] as number);
      index[k] = 0;
    }
  }
  return out;
}
