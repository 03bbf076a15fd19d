import {
  assembleModule,
  type Expr,
  F32,
  FunctionBuilder,
  instantiateOn,
  V128,
} from './wasm-assembler';

/**
 * Sums (or means) of the rows of a row-major float32 matrix `[rows, n]` in 128-bit wasm SIMD:
 * `out[r] = Σ_i x[r, i]` (divided by n when `mean` ≠ 0); arguments `(x, out, rows, n, mean)`,
 * pointers in bytes.
 *
 * Why: tfjs-backend-wasm's `Sum` and `Mean` add a row one element at a time into one float, a
 * chain of dependent adds (≈ 4 cycles each): a layer norm's per-sample means of `[16, 100352]`
 * took ≈ 1.4 ms each, 13 such reductions per training step of the default model. Here 16 lanes
 * accumulate independently (4 v128 registers), then add up; a different summation order than
 * the stock kernel's, so sums agree to float32 round-off.
 */
export type RowSumFunction = (
  x: number,
  out: number,
  rows: number,
  n: number,
  mean: number,
) => void;

function rowSum(): FunctionBuilder {
  const f = new FunctionBuilder('rowSum', 5);
  const [x, out, rows, n, mean] = [0, 1, 2, 3, 4].map((i) => f.get(i)) as [
    Expr,
    Expr,
    Expr,
    Expr,
    Expr,
  ];
  const v = f.locals(['r', 'i', 'p', 'end16']);
  const acc = [0, 1, 2, 3].map(() => f.local(V128));
  const total = f.local(V128);
  const s = f.local(F32);
  const g = (i: number) => f.get(i);
  f.set(v.end16, f.sub(n, f.i32(15)));
  f.forRange(v.r, f.i32(0), rows, 1, () => {
    f.set(v.p, f.add(x, f.mul(f.mul(g(v.r), n), f.i32(4))));
    for (const a of acc) f.set(a, f.v128Zero());
    f.forRange(v.i, f.i32(0), g(v.end16), 16, () => {
      acc.forEach((a, j) => {
        f.set(a, f.f32x4Add(f.get(a), f.load(g(v.p), 16 * j)));
      });
      f.set(v.p, f.add(g(v.p), f.i32(64)));
    });
    f.set(
      total,
      f.f32x4Add(
        f.f32x4Add(f.get(acc[0]!), f.get(acc[1]!)),
        f.f32x4Add(f.get(acc[2]!), f.get(acc[3]!)),
      ),
    );
    const lane = (k: number) => f.f32x4ExtractLane(f.get(total), k);
    f.set(s, f.f32Add(f.f32Add(lane(0), lane(1)), f.f32Add(lane(2), lane(3))));
    // the last n mod 16 elements (the 16-wide loop left i at the first of them)
    f.forRange(v.i, g(v.i), n, 1, () => {
      f.set(s, f.f32Add(f.get(s), f.f32Load(g(v.p))));
      f.set(v.p, f.add(g(v.p), f.i32(4)));
    });
    f.when(mean, () => f.set(s, f.f32Div(f.get(s), f.f32FromI32(n))));
    f.f32Store(f.add(out, f.mul(g(v.r), f.i32(4))), f.get(s));
  });
  return f;
}

let bytes: Uint8Array<ArrayBuffer> | undefined;

/** The module's bytes (assembled once). */
export function rowSumModuleBytes(): Uint8Array<ArrayBuffer> {
  bytes ??= assembleModule([rowSum()]);
  return bytes;
}

/** The kernel on `memory`, or `null` where this engine has no wasm SIMD. */
export function rowSumKernel(memory: WebAssembly.Memory): RowSumFunction | null {
  const e = instantiateOn(rowSumModuleBytes(), memory);
  return e ? (e.rowSum as RowSumFunction) : null;
}
