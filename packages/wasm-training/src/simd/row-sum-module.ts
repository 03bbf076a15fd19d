import { type Expr, F32, FunctionBuilder, simdModule, V128 } from './wasm-assembler';

/**
 * Sums (or means) of the rows of a row-major float32 matrix `[rows, n]` in 128-bit wasm SIMD:
 * `out[r] = Σ_i x[r, i]` (divided by n when `mean` ≠ 0); arguments `(x, out, rows, n, mean)`,
 * pointers in bytes.
 *
 * Why: tfjs-backend-wasm's `Sum` and `Mean` add a row one element at a time into one float, a
 * chain of dependent adds (≈ 4 cycles each): a layer norm's per-sample means of `[16, 100352]`
 * took ≈ 1.4 ms each, 13 such reductions per training step of the default model. Here 16 lanes
 * accumulate independently (4 v128 registers), then add up ({@link emitRowSums}); a different
 * summation order than the stock kernel's, so sums agree to float32 round-off.
 */
export type RowSumFunction = (
  x: number,
  out: number,
  rows: number,
  n: number,
  mean: number,
) => void;

/** One summand of a row sum at the current element: as 4 lanes at byte offset `o`, and as one f32. */
export interface Summand {
  vector(o: number): Expr;
  scalar(): Expr;
}

/**
 * Emits the sums over one row of `n` elements of each summand into the f32 locals `into`,
 * advancing the byte pointers `pointers` (locals) along the row: 16 elements per step into 4
 * v128 accumulators per summand, then `(a0 + a1) + (a2 + a3)`, the lanes `(l0 + l1) + (l2 + l3)`,
 * then the last `n mod 16` elements one by one. Every kernel that sums rows uses this order, so
 * the same row gives the same float everywhere.
 */
export function emitRowSums(
  f: FunctionBuilder,
  n: Expr,
  pointers: readonly number[],
  summands: readonly Summand[],
  into: readonly number[],
): void {
  const i = f.local();
  const end16 = f.local();
  const acc = summands.map(() => [0, 1, 2, 3].map(() => f.local(V128)));
  const total = f.local(V128);
  const advance = (bytes: number) => {
    for (const p of pointers) f.set(p, f.add(f.get(p), f.i32(bytes)));
  };
  f.set(end16, f.sub(n, f.i32(15)));
  for (const a of acc.flat()) f.set(a, f.v128Zero());
  f.forRange(i, f.i32(0), f.get(end16), 16, () => {
    summands.forEach((s, k) => {
      acc[k]!.forEach((a, j) => {
        f.set(a, f.f32x4Add(f.get(a), s.vector(16 * j)));
      });
    });
    advance(64);
  });
  summands.forEach((_, k) => {
    const [a0, a1, a2, a3] = acc[k]!.map((a) => f.get(a)) as [Expr, Expr, Expr, Expr];
    f.set(total, f.f32x4Add(f.f32x4Add(a0, a1), f.f32x4Add(a2, a3)));
    const lane = (l: number) => f.f32x4ExtractLane(f.get(total), l);
    f.set(into[k]!, f.f32Add(f.f32Add(lane(0), lane(1)), f.f32Add(lane(2), lane(3))));
  });
  // the last n mod 16 elements (the 16-wide loop left i at the first of them)
  f.forRange(i, f.get(i), n, 1, () => {
    summands.forEach((s, k) => {
      f.set(into[k]!, f.f32Add(f.get(into[k]!), s.scalar()));
    });
    advance(4);
  });
}

function rowSum(): FunctionBuilder {
  const f = new FunctionBuilder('rowSum', 5);
  const [x, out, rows, n, mean] = f.args(5);
  const [r, p] = [f.local(), f.local()];
  const s = f.local(F32);
  f.forRange(r, f.i32(0), rows, 1, () => {
    f.set(p, f.add(x, f.mul(f.mul(f.get(r), n), f.i32(4))));
    emitRowSums(
      f,
      n,
      [p],
      [{ vector: (o) => f.load(f.get(p), o), scalar: () => f.f32Load(f.get(p)) }],
      [s],
    );
    f.when(mean, () => f.set(s, f.f32Div(f.get(s), f.f32FromI32(n))));
    f.f32Store(f.add(out, f.mul(f.get(r), f.i32(4))), f.get(s));
  });
  return f;
}

const rowSumModule = simdModule<RowSumFunction>(() => [rowSum()]);

/** The module's bytes (assembled once). */
export const rowSumModuleBytes = rowSumModule.bytes;

/** The kernel on `memory`, or `null` where this engine has no wasm SIMD. */
export function rowSumKernel(memory: WebAssembly.Memory): RowSumFunction | null {
  return rowSumModule.on(memory)?.rowSum ?? null;
}
