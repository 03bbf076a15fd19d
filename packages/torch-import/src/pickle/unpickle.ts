/**
 * @file A pickle interpreter that never executes anything. Python's `pickle.load` calls whatever
 * callable a pickle names (`os.system`, `builtins.eval`, …); here every opcode is interpreted by
 * this file, and a global is only what the caller's allow-list ({@link PickleHooks.resolveGlobal})
 * makes of it: an inert {@link PyClass}, a TypeScript {@link PyFunction}, or an error naming it.
 * Protocols 2–5 (PyTorch writes 2); the text opcodes of protocols 0–1, `INST`/`OBJ`, the extension
 * registry and out-of-band buffers are refused. Iterative (no recursion), with bounded memo and
 * mark depth; every length is checked against the bytes left before it is read.
 */
import { type CheckpointLocation, TorchCheckpointError } from '../errors';
import {
  describePyValue,
  isPyTuple,
  PyClass,
  PyDict,
  PyFunction,
  PyObject,
  type PyValue,
  pyTuple,
} from './py-value';

/** What the caller decides: which globals exist, and what a persistent id (`BINPERSID`) stands for. */
export interface PickleHooks {
  /**
   * The value of global `module.name`; throw (through `fail`) for anything not on the allow-list.
   * Called once per `GLOBAL`/`STACK_GLOBAL` opcode.
   */
  resolveGlobal(module: string, name: string, fail: (what: string) => never): PyValue;
  /** The value of a persistent id (PyTorch: a storage). */
  persistentLoad(pid: PyValue, fail: (what: string) => never): PyValue;
}

/** Bounds of one interpretation (see `TorchReadLimits`). */
export interface PickleLimits {
  maxMemo: number;
  maxDepth: number;
}

const OP = 'unpickle';
const utf8 = new TextDecoder('utf-8', { fatal: true });

class Machine {
  pos = 0;
  /** Offset of the opcode being interpreted, for errors. */
  at = 0;
  readonly stack: PyValue[] = [];
  readonly marks: number[] = [];
  readonly memo = new Map<number, PyValue>();
  readonly view: DataView;
  readonly failHere = (what: string): never => this.fail(what);

  constructor(
    readonly bytes: Uint8Array,
    readonly where: CheckpointLocation,
    readonly hooks: PickleHooks,
    readonly limits: PickleLimits,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(what: string): never {
    throw new TorchCheckpointError(OP, { ...this.where, offset: this.at }, what);
  }

  take(n: number): number {
    if (n > this.bytes.length - this.pos)
      this.fail(`needs ${n} more bytes, only ${this.bytes.length - this.pos} are left: truncated`);
    const p = this.pos;
    this.pos += n;
    return p;
  }
  u8 = () => this.bytes[this.take(1)] as number;
  u16 = () => this.view.getUint16(this.take(2), true);
  u32 = () => this.view.getUint32(this.take(4), true);
  i32 = () => this.view.getInt32(this.take(4), true);
  u64(): number {
    const v = this.view.getBigUint64(this.take(8), true);
    if (v > BigInt(this.bytes.length)) this.fail(`declares a length of ${v}, beyond the pickle`);
    return Number(v);
  }
  raw(n: number): Uint8Array {
    const p = this.take(n);
    return this.bytes.subarray(p, p + n);
  }
  text(n: number): string {
    const raw = this.raw(n);
    try {
      return utf8.decode(raw);
    } catch {
      return this.fail('has a string that is not UTF-8');
    }
  }
  /** A newline-terminated ASCII line (of `GLOBAL`), at most 1024 bytes. */
  line(): string {
    const end = this.bytes.subarray(this.pos, this.pos + 1024).indexOf(0x0a);
    if (end < 0) this.fail('has a GLOBAL name without its newline within 1024 bytes');
    const s = this.text(end);
    this.pos++;
    return s;
  }

  push(v: PyValue): void {
    this.stack.push(v);
  }
  pop(): PyValue {
    const base = this.marks.length > 0 ? (this.marks[this.marks.length - 1] as number) : 0;
    if (this.stack.length <= base) this.fail('pops an empty stack (or past a MARK)');
    return this.stack.pop() as PyValue;
  }
  top(): PyValue {
    const v = this.pop();
    this.stack.push(v);
    return v;
  }
  /** The items pushed since the last `MARK`, removing them and the mark. */
  popMark(): PyValue[] {
    const m = this.marks.pop();
    if (m === undefined) this.fail('ends a MARK that was never set');
    return this.stack.splice(m);
  }
  mark(): void {
    if (this.marks.length >= this.limits.maxDepth)
      this.fail(`nests MARKs deeper than ${this.limits.maxDepth} (the maxDepth limit)`);
    this.marks.push(this.stack.length);
  }
  put(index: number): void {
    if (!this.memo.has(index) && this.memo.size >= this.limits.maxMemo)
      this.fail(`memoizes more than ${this.limits.maxMemo} objects (the maxMemo limit)`);
    this.memo.set(index, this.top());
  }
  get(index: number): void {
    const v = this.memo.get(index);
    if (v === undefined) this.fail(`refers to memo entry ${index}, which was never stored`);
    this.push(v);
  }
  global(module: string, name: string): void {
    this.push(this.hooks.resolveGlobal(module, name, this.failHere));
  }
  list(v: PyValue, what: string): PyValue[] {
    if (!Array.isArray(v) || isPyTuple(v))
      this.fail(`${what} needs a list, got ${describePyValue(v)}`);
    return v;
  }
  dict(v: PyValue, what: string): PyDict {
    if (!(v instanceof PyDict)) this.fail(`${what} needs a dict, got ${describePyValue(v)}`);
    return v;
  }
  tuple(v: PyValue, what: string): PyValue[] {
    if (!isPyTuple(v)) this.fail(`${what} needs an argument tuple, got ${describePyValue(v)}`);
    return v;
  }
  setItems(d: PyDict, items: PyValue[]): void {
    if (items.length % 2 !== 0) this.fail('has a SETITEMS/DICT with an odd number of items');
    for (let i = 0; i < items.length; i += 2) d.set(items[i] as PyValue, items[i + 1] as PyValue);
  }
}

/** Two's-complement little-endian integer of `bytes` (`LONG1`/`LONG4`): a number when exact, else a bigint. */
function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i] as number);
  if ((bytes[bytes.length - 1] as number) & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(v)
    : v;
}

/** `REDUCE`: only an allowed function may be called, with a tuple of arguments. */
function reduce(m: Machine): void {
  const args = m.tuple(m.pop(), 'REDUCE');
  const f = m.pop();
  if (f instanceof PyFunction) m.push(f.call(args, m.failHere));
  else if (f instanceof PyClass)
    m.fail(
      `calls class ${f.qualifiedName} with REDUCE; its instances may only be created by NEWOBJ`,
    );
  else m.fail(`calls ${describePyValue(f)} with REDUCE, which is not an allowed function`);
}

/** `NEWOBJ` (`cls.__new__(cls, *args)`): an inert {@link PyObject} of an allowed class. */
function newObject(m: Machine, args: PyValue[]): void {
  const cls = m.pop();
  if (!(cls instanceof PyClass))
    m.fail(
      `creates an instance of ${describePyValue(cls)} with NEWOBJ; only allowed classes can be instantiated`,
    );
  m.push(new PyObject(cls.qualifiedName, args));
}

/** `BUILD` (`obj.__dict__.update(state)`): sets attributes on a {@link PyObject} or a dict, runs no `__setstate__`. */
function build(m: Machine): void {
  const state = m.pop();
  const target = m.top();
  let attributes: Map<string, PyValue>;
  if (target instanceof PyObject) attributes = target.dict;
  else if (target instanceof PyDict) {
    target.attributes ??= new Map();
    attributes = target.attributes;
  } else m.fail(`sets state on ${describePyValue(target)}, which takes none`);
  // A (state, slotstate) pair, either of which may be None, or a plain state dict.
  const parts = isPyTuple(state) && state.length === 2 ? state : [state];
  for (const part of parts) {
    if (part === null && parts.length === 2) continue;
    const d = m.dict(part as PyValue, 'BUILD');
    for (const [k, v] of d) {
      if (typeof k !== 'string') m.fail(`sets an attribute named by ${describePyValue(k)}`);
      attributes.set(k, v);
    }
  }
}

type Op = (m: Machine) => void;
const c = (ch: string) => ch.charCodeAt(0);

// The opcodes that take more than one expression, named as in Python's pickletools.
const PROTO: Op = (m) => {
  const v = m.u8();
  if (v < 2 || v > 5) m.fail(`is pickle protocol ${v}; protocols 2 to 5 are read`);
};
const FRAME: Op = (m) => void m.u64(); // a length hint: nothing to do but skip it
const POP: Op = (m) => void m.pop();
const POP_MARK: Op = (m) => void m.popMark();
const LONG4: Op = (m) => {
  const n = m.i32();
  if (n < 0 || n > 64) m.fail(`has a LONG4 of ${n} bytes (at most 64 are read)`);
  m.push(decodeLong(m.raw(n)));
};
const TUPLE2: Op = (m) => {
  const b = m.pop();
  m.push(pyTuple([m.pop(), b]));
};
const TUPLE3: Op = (m) => {
  const z = m.pop();
  const y = m.pop();
  m.push(pyTuple([m.pop(), y, z]));
};
const APPEND: Op = (m) => {
  const v = m.pop();
  m.list(m.top(), 'APPEND').push(v);
};
const APPENDS: Op = (m) => {
  const items = m.popMark();
  const list = m.list(m.top(), 'APPENDS');
  for (const item of items) list.push(item);
};
const DICT: Op = (m) => {
  const d = new PyDict();
  m.setItems(d, m.popMark());
  m.push(d);
};
const SETITEM: Op = (m) => {
  const v = m.pop();
  const k = m.pop();
  m.dict(m.top(), 'SETITEM').set(k, v);
};
const SETITEMS: Op = (m) => {
  const items = m.popMark();
  m.setItems(m.dict(m.top(), 'SETITEMS'), items);
};
const ADDITEMS: Op = (m: Machine) => {
  const items = m.popMark();
  const set = m.top();
  if (!(set instanceof Set)) m.fail(`ADDITEMS needs a set, got ${describePyValue(set)}`);
  for (const item of items) set.add(item);
};
const GLOBAL: Op = (m) => {
  const module = m.line();
  m.global(module, m.line());
};
const STACK_GLOBAL: Op = (m: Machine) => {
  const name = m.pop();
  const module = m.pop();
  if (typeof module !== 'string' || typeof name !== 'string')
    m.fail('has a STACK_GLOBAL whose names are not strings');
  m.global(module, name);
};
const NEWOBJ_EX: Op = (m) => {
  if (m.dict(m.pop(), 'NEWOBJ_EX').size > 0) m.fail('has NEWOBJ_EX keyword arguments');
  newObject(m, m.tuple(m.pop(), 'NEWOBJ_EX'));
};

/** The interpreted opcodes, by byte. */
const OPS = new Map<number, Op>([
  [0x80, PROTO],
  [0x95, FRAME],
  [c('('), (m) => m.mark()],
  [c('0'), POP],
  [c('1'), POP_MARK],
  [c('2'), (m) => m.push(m.top())],
  [c('N'), (m) => m.push(null)],
  [0x88, (m) => m.push(true)],
  [0x89, (m) => m.push(false)],
  [c('J'), (m) => m.push(m.i32())],
  [c('K'), (m) => m.push(m.u8())],
  [c('M'), (m) => m.push(m.u16())],
  [0x8a, (m) => m.push(decodeLong(m.raw(m.u8())))],
  [0x8b, LONG4],
  [c('G'), (m) => m.push(m.view.getFloat64(m.take(8), false))],
  [c('X'), (m) => m.push(m.text(m.u32()))],
  [0x8c, (m) => m.push(m.text(m.u8()))],
  [0x8d, (m) => m.push(m.text(m.u64()))],
  [c('B'), (m) => m.push(m.raw(m.u32()).slice())],
  [c('C'), (m) => m.push(m.raw(m.u8()).slice())],
  [0x8e, (m) => m.push(m.raw(m.u64()).slice())],
  [c(')'), (m) => m.push(pyTuple([]))],
  [c('t'), (m) => m.push(pyTuple(m.popMark()))],
  [0x85, (m) => m.push(pyTuple([m.pop()]))],
  [0x86, TUPLE2],
  [0x87, TUPLE3],
  [c(']'), (m) => m.push([])],
  [c('l'), (m) => m.push(m.popMark())],
  [c('a'), APPEND],
  [c('e'), APPENDS],
  [c('}'), (m) => m.push(new PyDict())],
  [c('d'), DICT],
  [c('s'), SETITEM],
  [c('u'), SETITEMS],
  [0x8f, (m) => m.push(new Set())],
  [0x90, ADDITEMS],
  [0x91, (m) => m.push(new Set(m.popMark()))],
  [c('q'), (m) => m.put(m.u8())],
  [c('r'), (m) => m.put(m.u32())],
  [0x94, (m) => m.put(m.memo.size)],
  [c('h'), (m) => m.get(m.u8())],
  [c('j'), (m) => m.get(m.u32())],
  [c('c'), GLOBAL],
  [0x93, STACK_GLOBAL],
  [c('R'), reduce],
  [0x81, (m) => newObject(m, m.tuple(m.pop(), 'NEWOBJ'))],
  [0x92, NEWOBJ_EX],
  [c('b'), build],
  [c('Q'), (m) => m.push(m.hooks.persistentLoad(m.pop(), m.failHere))],
]);

/** Names of the opcodes refused on purpose, for the error message. */
const REFUSED: Record<number, string> = {
  [c('i')]: 'INST',
  [c('o')]: 'OBJ',
  130: 'EXT1',
  131: 'EXT2',
  132: 'EXT4',
  [c('P')]: 'PERSID',
  [c('I')]: 'INT',
  [c('L')]: 'LONG',
  [c('F')]: 'FLOAT',
  [c('S')]: 'STRING',
  [c('V')]: 'UNICODE',
  [c('p')]: 'PUT',
  [c('g')]: 'GET',
  [c('T')]: 'BINSTRING',
  [c('U')]: 'SHORT_BINSTRING',
  150: 'BYTEARRAY8',
  151: 'NEXT_BUFFER',
  152: 'READONLY_BUFFER',
};

/**
 * Interprets a pickle and returns the value it describes. Globals and persistent ids go through
 * `hooks`; nothing is executed. Throws a {@link TorchCheckpointError} naming `where` and the
 * opcode's offset for unknown or refused opcodes, truncation, stack misuse, exceeded limits and
 * anything the hooks refuse; bytes after `STOP` are an error too.
 */
export function unpickle(
  bytes: Uint8Array,
  where: CheckpointLocation,
  hooks: PickleHooks,
  limits: PickleLimits,
): PyValue {
  const m: Machine = new Machine(bytes, where, hooks, limits);
  for (;;) {
    m.at = m.pos;
    if (m.pos >= bytes.length) m.fail('ends without a STOP opcode: truncated');
    const code = m.u8();
    if (code === c('.')) break;
    const op = OPS.get(code);
    if (!op) {
      const name = REFUSED[code];
      m.fail(
        name
          ? `uses opcode ${name}, which is not read (PyTorch checkpoints use pickle protocol 2)`
          : `has unknown opcode 0x${code.toString(16).padStart(2, '0')}: not a pickle, or corrupt`,
      );
    }
    op(m);
  }
  if (m.marks.length > 0 || m.stack.length !== 1)
    m.fail(
      `stops with ${m.stack.length} values and ${m.marks.length} open MARKs on the stack, expected one value`,
    );
  if (m.pos !== bytes.length) m.fail(`has ${bytes.length - m.pos} bytes after its STOP opcode`);
  return m.stack[0] as PyValue;
}
