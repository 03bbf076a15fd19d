/**
 * Builds checkpoint bytes by hand for the tests: pickle opcodes, tensors rebuilt from storages,
 * and torch-style zip archives (fflate's `zipSync`: stored at level 0, deflated otherwise). Hostile
 * inputs (a `GLOBAL os system` + `REDUCE`, storages shorter than their tensors, …) are written
 * with these, so every refusal test states its bytes.
 */
import { zipSync } from 'fflate';

type Part = number | readonly number[] | Uint8Array;

const ascii = (s: string) => [...new TextEncoder().encode(s)];
const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];

/** Pickle opcodes (protocol 2) by name. */
export const op = {
  proto: (v = 2) => [0x80, v],
  global: (module: string, name: string) => [0x63, ...ascii(`${module}\n${name}\n`)],
  str: (s: string) => {
    const b = ascii(s);
    return [0x58, ...u32(b.length), ...b];
  },
  int: (n: number) => [0x4a, ...u32(n)],
  float: (x: number) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, x, false);
    return [0x47, ...b];
  },
  none: [0x4e],
  true: [0x88],
  false: [0x89],
  mark: [0x28],
  tuple: [0x74],
  tuple1: [0x85],
  tuple2: [0x86],
  tuple3: [0x87],
  emptyTuple: [0x29],
  emptyList: [0x5d],
  emptyDict: [0x7d],
  append: [0x61],
  appends: [0x65],
  setitem: [0x73],
  setitems: [0x75],
  reduce: [0x52],
  newobj: [0x81],
  build: [0x62],
  binpersid: [0x51],
  binput: (i: number) => [0x71, i],
  binget: (i: number) => [0x68, i],
  stop: [0x2e],
};

/** Concatenates opcodes and bytes. */
export function bytesOf(...parts: Part[]): Uint8Array {
  const flat: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') flat.push(p);
    else for (const b of p) flat.push(b);
  }
  return Uint8Array.from(flat);
}

/** A tuple of `values` on the stack (`MARK … TUPLE`). */
export function intTuple(values: readonly number[]): number[] {
  return [...op.mark, ...values.flatMap(op.int), ...op.tuple];
}

/** The opcodes of `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())`. */
export function tensorOps(t: {
  storage?: string;
  key: string;
  numel: number;
  offset?: number;
  shape: readonly number[];
  stride?: readonly number[];
}): number[] {
  const stride = t.stride ?? t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  return [
    ...op.global('torch._utils', '_rebuild_tensor_v2'),
    ...op.mark,
    ...op.mark,
    ...op.str('storage'),
    ...op.global('torch', t.storage ?? 'FloatStorage'),
    ...op.str(t.key),
    ...op.str('cpu'),
    ...op.int(t.numel),
    ...op.tuple,
    ...op.binpersid,
    ...op.int(t.offset ?? 0),
    ...intTuple(t.shape),
    ...intTuple(stride),
    ...op.false,
    ...op.global('collections', 'OrderedDict'),
    ...op.emptyTuple,
    ...op.reduce,
    ...op.tuple,
    ...op.reduce,
  ];
}

/** A pickled `{name: tensor}` dict, ready for {@link torchZip}. */
export function stateDictPickle(entries: ReadonlyArray<[string, number[]]>): Uint8Array {
  return bytesOf(
    op.proto(),
    op.emptyDict,
    op.mark,
    ...entries.flatMap(([name, tensor]) => [op.str(name), tensor]),
    op.setitems,
    op.stop,
  );
}

/** Little-endian float32 bytes. */
export function float32Bytes(values: readonly number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

/**
 * A checkpoint zip as `torch.save` lays it out: `<archive>/data.pkl`, `<archive>/data/<key>` and
 * `<archive>/version`; stored (level 0) unless `level` says to deflate.
 */
export function torchZip(
  pickle: Uint8Array,
  storages: Record<string, Uint8Array> = {},
  options: { archive?: string; level?: 0 | 6 | 9; extra?: Record<string, Uint8Array> } = {},
): Uint8Array {
  const archive = options.archive ?? 'archive';
  const level = options.level ?? 0;
  const files: Record<string, [Uint8Array, { level: 0 | 6 | 9 }]> = {
    [`${archive}/data.pkl`]: [pickle, { level }],
    [`${archive}/version`]: [new TextEncoder().encode('3\n'), { level }],
  };
  for (const [key, bytes] of Object.entries(storages))
    files[`${archive}/data/${key}`] = [bytes, { level }];
  for (const [name, bytes] of Object.entries(options.extra ?? {})) files[name] = [bytes, { level }];
  return zipSync(files);
}
