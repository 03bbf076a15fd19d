/**
 * A minimal WebAssembly assembler: enough of the binary format to write small SIMD kernels that
 * run on the tfjs wasm backend's own memory (imported as `env.memory`). Structured loops and
 * branches only; every function takes i32 parameters and returns nothing.
 *
 * Why not a .wasm file: it would be build output in the repository (and need a toolchain);
 * these kernels are a few hundred bytes, emitted at first use.
 */

/** Value types of the binary format. */
export const I32 = 0x7f;
export const V128 = 0x7b;
export const F32 = 0x7d;
type ValueType = typeof I32 | typeof V128 | typeof F32;

/** Code that pushes one value (an i32, f32 or v128) on the stack. */
export type Expr = () => void;

function uleb(out: number[], value: number): void {
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

function sleb(out: number[], value: number): void {
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

function name(out: number[], s: string): void {
  const bytes = new TextEncoder().encode(s);
  uleb(out, bytes.length);
  out.push(...bytes);
}

/** `[T, …, T]` of length N (`T[]` where N is not a literal). */
type Tuple<T, N extends number, R extends T[] = []> = number extends N
  ? T[]
  : R['length'] extends N
    ? R
    : Tuple<T, N, [...R, T]>;

/** One exported function: `(i32 × params) → ()`; locals are declared as they are needed. */
export class FunctionBuilder {
  readonly code: number[] = [];
  private readonly localTypes: ValueType[] = [];

  constructor(
    readonly exportName: string,
    readonly params: number,
  ) {}

  /**
   * The parameters as expressions, `[get(0), …, get(n − 1)]`, to destructure by name; `n` must be
   * the function's parameter count (it types the tuple).
   */
  args<const N extends number>(n: N): Tuple<Expr, N> {
    if (n !== this.params) {
      throw new Error(
        `FunctionBuilder ${this.exportName}: has ${this.params} parameters, not ${n}`,
      );
    }
    return Array.from({ length: n }, (_, i) => this.get(i)) as Tuple<Expr, N>;
  }

  /** A new local of `type`; returns its index. */
  local(type: ValueType = I32): number {
    this.localTypes.push(type);
    return this.params + this.localTypes.length - 1;
  }

  /** One new i32 local per name. */
  locals<const K extends string>(names: readonly K[]): Record<K, number> {
    return Object.fromEntries(names.map((n) => [n, this.local()])) as Record<K, number>;
  }

  /** Pushes local `i`. */
  get(i: number): Expr {
    return () => this.op(0x20, i);
  }

  /** `local[i] = value`. */
  set(i: number, value: Expr): void {
    value();
    this.op(0x21, i);
  }

  /** Pushes the i32 constant `v`. */
  i32(v: number): Expr {
    return () => {
      this.code.push(0x41);
      sleb(this.code, v);
    };
  }

  add(a: Expr, b: Expr): Expr {
    return this.binary(0x6a, a, b);
  }
  sub(a: Expr, b: Expr): Expr {
    return this.binary(0x6b, a, b);
  }
  mul(a: Expr, b: Expr): Expr {
    return this.binary(0x6c, a, b);
  }
  divS(a: Expr, b: Expr): Expr {
    return this.binary(0x6d, a, b);
  }
  remS(a: Expr, b: Expr): Expr {
    return this.binary(0x6f, a, b);
  }
  and(a: Expr, b: Expr): Expr {
    return this.binary(0x71, a, b);
  }
  eq(a: Expr, b: Expr): Expr {
    return this.binary(0x46, a, b);
  }
  geS(a: Expr, b: Expr): Expr {
    return this.binary(0x4e, a, b);
  }
  /** Unsigned `a < b`: for `0 ≤ a < b` in one comparison (negative `a` wraps above `b`). */
  ltU(a: Expr, b: Expr): Expr {
    return this.binary(0x49, a, b);
  }

  /** Pushes 128 zero bits. */
  v128Zero(): Expr {
    return () => {
      this.simd(12);
      this.code.push(...new Array<number>(16).fill(0));
    };
  }
  /** Loads 16 bytes at `address + offset`. */
  load(address: Expr, offset = 0): Expr {
    return () => {
      address();
      this.simd(0);
      this.memarg(offset);
    };
  }
  /** Loads the f32 at `address + offset` into all four lanes. */
  loadSplat(address: Expr, offset = 0): Expr {
    return () => {
      address();
      this.simd(9);
      this.memarg(offset);
    };
  }
  /** Stores `value` (v128) at `address + offset`. */
  store(address: Expr, value: Expr, offset = 0): void {
    address();
    value();
    this.simd(11);
    this.memarg(offset);
  }
  f32x4Add(a: Expr, b: Expr): Expr {
    return () => {
      a();
      b();
      this.simd(228);
    };
  }
  f32x4Mul(a: Expr, b: Expr): Expr {
    return () => {
      a();
      b();
      this.simd(230);
    };
  }
  /** Lane masks (all ones or zeros) of `a == b`, `a > b` (false where either is NaN). */
  f32x4Eq(a: Expr, b: Expr): Expr {
    return this.simdBinary(0x41, a, b);
  }
  f32x4Gt(a: Expr, b: Expr): Expr {
    return this.simdBinary(0x44, a, b);
  }
  v128And(a: Expr, b: Expr): Expr {
    return this.simdBinary(0x4e, a, b);
  }
  /** `a & ~b`. */
  v128AndNot(a: Expr, b: Expr): Expr {
    return this.simdBinary(0x4f, a, b);
  }
  v128Or(a: Expr, b: Expr): Expr {
    return this.simdBinary(0x50, a, b);
  }
  /** Bitwise `mask ? a : b`. */
  v128Bitselect(a: Expr, b: Expr, mask: Expr): Expr {
    return () => {
      a();
      b();
      mask();
      this.simd(0x52);
    };
  }
  /** Lane `lane` of an f32x4 as an f32. */
  f32x4ExtractLane(a: Expr, lane: number): Expr {
    return () => {
      a();
      this.simd(31);
      this.code.push(lane);
    };
  }
  /** Loads the i32 at `address + offset`. */
  i32Load(address: Expr, offset = 0): Expr {
    return () => {
      address();
      this.code.push(0x28);
      this.memarg(offset);
    };
  }
  /** Loads the f32 at `address + offset`. */
  f32Load(address: Expr, offset = 0): Expr {
    return () => {
      address();
      this.code.push(0x2a);
      this.memarg(offset);
    };
  }
  /** Stores the f32 `value` at `address + offset`. */
  f32Store(address: Expr, value: Expr, offset = 0): void {
    address();
    value();
    this.code.push(0x38);
    this.memarg(offset);
  }
  f32Add(a: Expr, b: Expr): Expr {
    return this.binary(0x92, a, b);
  }
  f32Sub(a: Expr, b: Expr): Expr {
    return this.binary(0x93, a, b);
  }
  f32Mul(a: Expr, b: Expr): Expr {
    return this.binary(0x94, a, b);
  }
  f32Sqrt(a: Expr): Expr {
    return () => {
      a();
      this.code.push(0x91);
    };
  }
  /** The f32 whose bits are the i32 `a`. */
  f32FromBits(a: Expr): Expr {
    return () => {
      a();
      this.code.push(0xbe);
    };
  }
  /** The f32 `a` in all four lanes. */
  f32x4Splat(a: Expr): Expr {
    return () => {
      a();
      this.simd(0x13);
    };
  }
  f32x4Sub(a: Expr, b: Expr): Expr {
    return this.simdBinary(0xe5, a, b);
  }
  f32x4Div(a: Expr, b: Expr): Expr {
    return this.simdBinary(0xe7, a, b);
  }
  f32Div(a: Expr, b: Expr): Expr {
    return this.binary(0x95, a, b);
  }
  /** The i32 `a` (signed) as an f32. */
  f32FromI32(a: Expr): Expr {
    return () => {
      a();
      this.code.push(0xb2);
    };
  }
  /** Pushes the f32 constant `value`. */
  f32(value: number): Expr {
    return () => {
      this.code.push(0x43, ...new Uint8Array(Float32Array.of(value).buffer));
    };
  }

  /** The i32 `a` in all four lanes. */
  i32x4Splat(a: Expr): Expr {
    return () => {
      a();
      this.simd(0x11);
    };
  }
  /** Each lane rounded to the nearest integer, ties to even. */
  f32x4Nearest(a: Expr): Expr {
    return this.simdUnary(0x6a, a);
  }
  /** `a < b ? b : a` per lane (pseudo-maximum: `pmax(v, 0)` keeps v's NaN and −0). */
  f32x4Pmax(a: Expr, b: Expr): Expr {
    return this.simdBinary(0xeb, a, b);
  }
  f32x4Abs(a: Expr): Expr {
    return this.simdUnary(0xe0, a);
  }
  /** f32 lanes → i32 lanes, truncated, saturating (NaN → 0). */
  i32x4TruncSatF32x4(a: Expr): Expr {
    return this.simdUnary(0xf8, a);
  }
  i32x4Add(a: Expr, b: Expr): Expr {
    return this.simdBinary(0xae, a, b);
  }
  i32x4Eq(a: Expr, b: Expr): Expr {
    return this.simdBinary(0x37, a, b);
  }
  /** Each i32 lane shifted left by the i32 `bits`. */
  i32x4Shl(a: Expr, bits: Expr): Expr {
    return this.simdBinary(0xab, a, bits);
  }
  v128Xor(a: Expr, b: Expr): Expr {
    return this.simdBinary(0x51, a, b);
  }

  /** Pushes `value` (an f32) in all four lanes. */
  f32x4Const(value: number): Expr {
    return () => {
      this.simd(12);
      const lane = new Uint8Array(Float32Array.of(value).buffer);
      for (let i = 0; i < 4; i++) this.code.push(...lane);
    };
  }

  /** `for (i = from; i < to; i += step) body()` (signed compare). */
  forRange(i: number, from: Expr, to: Expr, step: number, body: () => void): void {
    this.set(i, from);
    this.code.push(0x02, 0x40, 0x03, 0x40); // block, loop
    this.geS(this.get(i), to)();
    this.code.push(0x0d, 1); // br_if out of the block
    body();
    this.set(i, this.add(this.get(i), this.i32(step)));
    this.code.push(0x0c, 0, 0x0b, 0x0b); // br to the loop, end loop, end block
  }

  /** `if (cond) body()`. */
  when(cond: Expr, body: () => void): void {
    cond();
    this.code.push(0x04, 0x40);
    body();
    this.code.push(0x0b);
  }

  /** `if (cond) then() else otherwise()`. */
  whenElse(cond: Expr, then: () => void, otherwise: () => void): void {
    cond();
    this.code.push(0x04, 0x40);
    then();
    this.code.push(0x05);
    otherwise();
    this.code.push(0x0b);
  }

  /** The function body of the code section: locals, code, end. */
  encodeBody(): number[] {
    const out: number[] = [];
    const runs: Array<[number, ValueType]> = [];
    for (const t of this.localTypes) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    uleb(out, runs.length);
    for (const [count, t] of runs) {
      uleb(out, count);
      out.push(t);
    }
    out.push(...this.code, 0x0b);
    return out;
  }

  private op(opcode: number, index: number): void {
    this.code.push(opcode);
    uleb(this.code, index);
  }

  private binary(opcode: number, a: Expr, b: Expr): Expr {
    return () => {
      a();
      b();
      this.code.push(opcode);
    };
  }

  private simdUnary(opcode: number, a: Expr): Expr {
    return () => {
      a();
      this.simd(opcode);
    };
  }

  private simdBinary(opcode: number, a: Expr, b: Expr): Expr {
    return () => {
      a();
      b();
      this.simd(opcode);
    };
  }

  private simd(opcode: number): void {
    this.code.push(0xfd);
    uleb(this.code, opcode);
  }

  private memarg(offset: number): void {
    // alignment hint 2^2: tensor data is 4-byte aligned, not necessarily 16
    this.code.push(2);
    uleb(this.code, offset);
  }
}

/** A module importing `env.memory` and exporting `functions`. */
export function assembleModule(functions: readonly FunctionBuilder[]): Uint8Array<ArrayBuffer> {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const section = (id: number, body: number[]) => {
    out.push(id);
    uleb(out, body.length);
    out.push(...body);
  };
  const arities = [...new Set(functions.map((f) => f.params))];
  const types: number[] = [];
  uleb(types, arities.length);
  for (const n of arities) {
    types.push(0x60);
    uleb(types, n);
    for (let i = 0; i < n; i++) types.push(I32);
    types.push(0); // no results
  }
  section(1, types);
  const imports: number[] = [1];
  name(imports, 'env');
  name(imports, 'memory');
  imports.push(0x02, 0x00, 0x00); // memory, limits {min 0}
  section(2, imports);
  const funcs: number[] = [];
  uleb(funcs, functions.length);
  for (const f of functions) uleb(funcs, arities.indexOf(f.params));
  section(3, funcs);
  const exports: number[] = [];
  uleb(exports, functions.length);
  functions.forEach((f, i) => {
    name(exports, f.exportName);
    exports.push(0x00);
    uleb(exports, i);
  });
  section(7, exports);
  const code: number[] = [];
  uleb(code, functions.length);
  for (const f of functions) {
    const body = f.encodeBody();
    uleb(code, body.length);
    code.push(...body);
  }
  section(10, code);
  return new Uint8Array(out);
}

const instances = new WeakMap<
  Uint8Array,
  WeakMap<WebAssembly.Memory, WebAssembly.Exports | null>
>();

/**
 * The exports of module `bytes` instantiated on `memory` (once per pair), or `null` where this
 * engine cannot run it (no wasm SIMD). Compiled synchronously, as kernels are synchronous; the
 * modules are a few KB.
 */
function instantiateOn(
  bytes: Uint8Array<ArrayBuffer>,
  memory: WebAssembly.Memory,
): WebAssembly.Exports | null {
  let byMemory = instances.get(bytes);
  if (!byMemory) {
    byMemory = new WeakMap();
    instances.set(bytes, byMemory);
  }
  let exports = byMemory.get(memory);
  if (exports === undefined) {
    exports = WebAssembly.validate(bytes)
      ? new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports
      : null;
    byMemory.set(memory, exports);
  }
  return exports;
}

/** A module assembled on first use ({@link simdModule}). */
export interface SimdModule<F> {
  /** The module's bytes (assembled once). */
  bytes(): Uint8Array<ArrayBuffer>;
  /**
   * Its exports on `memory` (instantiated once per memory), or `null` where this engine has no
   * wasm SIMD.
   */
  on(memory: WebAssembly.Memory): Readonly<Record<string, F>> | null;
}

/**
 * The module of the functions `functions()` builds, assembled the first time it is asked for
 * (a kernel's module costs nothing until a kernel runs) and instantiated once per memory.
 */
export function simdModule<F>(functions: () => readonly FunctionBuilder[]): SimdModule<F> {
  let bytes: Uint8Array<ArrayBuffer> | undefined;
  const assembled = () => {
    bytes ??= assembleModule(functions());
    return bytes;
  };
  return {
    bytes: assembled,
    on: (memory) => instantiateOn(assembled(), memory) as Readonly<Record<string, F>> | null,
  };
}
