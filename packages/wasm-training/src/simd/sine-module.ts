import { type Expr, FunctionBuilder, simdModule, V128 } from './wasm-assembler';

/**
 * `sin` or `cos` of float32 values in 128-bit wasm SIMD:
 * `sine(x, out, vectors, cosine, flags)` maps `4·vectors` floats from `x` to `out` (pointers in
 * bytes), sin where `cosine = 0`, cos where 1, and stores at `flags` 16 bytes that are non-zero
 * where some |x| > {@link SINE_LIMIT} (the caller then computes the whole tensor another way).
 *
 * How: `k = nearest(x·2/π)`, `r = x − k·π/2` (π/2 in three parts whose products with k are exact
 * for |k| < 2¹³, Cody–Waite), so |r| ≤ π/4; then the Taylor polynomials of sin r (to r⁹) and
 * cos r (to r⁸), whose truncation errors (< 2e-9, < 3e-8) lie below float32’s resolution; and
 * the quadrant `k mod 4` (k + 1 for cos) picks ±sin r or ±cos r. NaN and ±∞ give NaN.
 *
 * Why: tfjs-backend-wasm's `Sin` and `Cos` call libm's scalar `sinf`/`cosf` per element
 * (≈ 12 ns each); the kernel nets' SIREN layers run one of them on every hidden activation of
 * every layer, forward (sin) and backward (cos).
 */
export type SineFunction = (
  x: number,
  out: number,
  vectors: number,
  cosine: number,
  flags: number,
) => void;

/** Largest |x| the kernel reduces accurately (|k| ≤ 2608, well inside 2¹³). */
export const SINE_LIMIT = 4096;

/**
 * π/2 = P1 + P2 + P3: P1 = 201/2⁷ has 8 significant bits, P2 = 2029/2²² 11 (π/2 − P1 cut to 11
 * bits), so k·P1 and k·P2 are exact float32 products for |k| < 2¹³.
 */
const P1 = 201 / 2 ** 7;
const P2 = 2029 / 2 ** 22;
const P3 = Math.fround(Math.PI / 2 - P1 - P2);

/** Taylor coefficients of sin r = r·(1 + r²·(S1 + r²·(S2 + …))) and cos r = 1 + r²·(C1 + …). */
const SIN = [-1 / 6, 1 / 120, -1 / 5040, 1 / 362880];
const COS = [-1 / 2, 1 / 24, -1 / 720, 1 / 40320];

function sine(): FunctionBuilder {
  const f = new FunctionBuilder('sine', 5);
  const [x, out, vectors, cosine, flags] = f.args(5);
  const [i, px, pOut] = [f.local(), f.local(), f.local()];
  const vector = () => f.local(V128);
  const [v, k, q, r] = [vector(), vector(), vector(), vector()];
  const [r2, s, c, big] = [vector(), vector(), vector(), vector()];
  const g = (l: number) => f.get(l);
  const mul = (a: Expr, b: Expr) => f.f32x4Mul(a, b);
  const add = (a: Expr, b: Expr) => f.f32x4Add(a, b);
  const konst = (value: number) => f.f32x4Const(value);
  /** Horner: c0 + r²·(c1 + r²·(… + r²·c_last)). */
  const horner = (coefficients: number[]) =>
    coefficients
      .slice(0, -1)
      .reduceRight<Expr>((acc, ci) => add(konst(ci), mul(g(r2), acc)), konst(coefficients.at(-1)!));
  f.set(big, f.v128Zero());
  f.set(px, x);
  f.set(pOut, out);
  f.forRange(i, f.i32(0), vectors, 1, () => {
    f.set(v, f.load(g(px)));
    f.set(big, f.v128Or(g(big), f.f32x4Gt(f.f32x4Abs(g(v)), konst(SINE_LIMIT))));
    f.set(k, f.f32x4Nearest(mul(g(v), konst(2 / Math.PI))));
    f.set(r, f.f32x4Sub(g(v), mul(g(k), konst(P1))));
    f.set(r, f.f32x4Sub(g(r), mul(g(k), konst(P2))));
    f.set(r, f.f32x4Sub(g(r), mul(g(k), konst(P3))));
    f.set(r2, mul(g(r), g(r)));
    f.set(s, add(g(r), mul(mul(g(r), g(r2)), horner(SIN))));
    f.set(c, add(konst(1), mul(g(r2), horner(COS))));
    // quadrant q = k (+1 for cos): odd → cos r, else sin r; q & 2 → negated (the sign bit)
    f.set(q, f.i32x4Add(f.i32x4TruncSatF32x4(g(k)), f.i32x4Splat(cosine)));
    const odd = f.i32x4Eq(f.v128And(g(q), f.i32x4Splat(f.i32(1))), f.i32x4Splat(f.i32(1)));
    const sign = f.i32x4Shl(f.v128And(g(q), f.i32x4Splat(f.i32(2))), f.i32(30));
    f.store(g(pOut), f.v128Xor(f.v128Bitselect(g(c), g(s), odd), sign));
    f.set(px, f.add(g(px), f.i32(16)));
    f.set(pOut, f.add(g(pOut), f.i32(16)));
  });
  f.store(flags, g(big));
  return f;
}

const sineModule = simdModule<SineFunction>(() => [sine()]);

/** The module's bytes (assembled once). */
export const sineModuleBytes = sineModule.bytes;

/** The kernel on `memory`, or `null` where this engine has no wasm SIMD. */
export function sineKernel(memory: WebAssembly.Memory): SineFunction | null {
  return sineModule.on(memory)?.sine ?? null;
}
