import { FunctionBuilder, simdModule, V128 } from './wasm-assembler';

/**
 * `out[m, n] += Σ_k a[k, m] · b[k, n]`: the product `aᵀ·b` of two tall row-major float32 matrices
 * `a` `[K, M]` and `b` `[K, N]` (`M % 4 = 0`, `N % 8 = 0`), accumulated into `out` `[M, N]`, in
 * 128-bit wasm SIMD; arguments `(a, b, out, K, M, N)`, pointers in bytes.
 *
 * Why: this is the weight gradient of every matMul (`xᵀ·dy`), and tfjs-backend-wasm runs a
 * transposed operand through XNNPACK many times slower than a plain product (the Fourier-form
 * mixings' `[12544, 64]ᵀ·[12544, 64]` ran as an explicit transpose plus a product, ≈ 10 GFLOP/s).
 * Here `ROWS` rows of `K` at a time (both matrices' slices stay in L1/L2), and within them tiles
 * of 4 output rows × 8 output columns in 8 v128 accumulators: per `k`, four broadcast loads of
 * `a` and two vector loads of `b` feed 32 multiply-adds.
 */
export type TransposedAMatMulFunction = (
  a: number,
  b: number,
  out: number,
  k: number,
  m: number,
  n: number,
) => void;

/** Rows of `K` per pass over the output tiles. */
const ROWS = 128;

function transposedAMatMul(): FunctionBuilder {
  const f = new FunctionBuilder('transposedAMatMul', 6);
  const [a, b, out, k, m, n] = f.args(6);
  const v = f.locals(['k0', 'k1', 'mt', 'nt', 'i', 'aRow', 'bRow', 'pA', 'pB', 'pOut']);
  const g = (i: number) => f.get(i);
  const acc = Array.from({ length: 8 }, () => f.local(V128));
  const splat = Array.from({ length: 4 }, () => f.local(V128));
  const column = [f.local(V128), f.local(V128)];
  f.set(v.aRow, f.mul(m, f.i32(4)));
  f.set(v.bRow, f.mul(n, f.i32(4)));
  f.forRange(v.k0, f.i32(0), k, ROWS, () => {
    // k1 = min(k0 + ROWS, K)
    f.set(v.k1, f.add(g(v.k0), f.i32(ROWS)));
    f.when(f.geS(g(v.k1), k), () => f.set(v.k1, k));
    f.forRange(v.mt, f.i32(0), g(v.aRow), 16, () =>
      f.forRange(v.nt, f.i32(0), g(v.bRow), 32, () => {
        // the tile's output rows mt/4 … mt/4 + 3, columns nt/4 … nt/4 + 7
        f.set(v.pOut, f.add(f.add(out, f.mul(f.divS(g(v.mt), f.i32(4)), g(v.bRow))), g(v.nt)));
        acc.forEach((r, idx) => {
          const row = Math.floor(idx / 2);
          f.set(r, f.load(f.add(g(v.pOut), f.mul(g(v.bRow), f.i32(row))), 16 * (idx % 2)));
        });
        f.set(v.pA, f.add(f.add(a, f.mul(g(v.k0), g(v.aRow))), g(v.mt)));
        f.set(v.pB, f.add(f.add(b, f.mul(g(v.k0), g(v.bRow))), g(v.nt)));
        f.forRange(v.i, g(v.k0), g(v.k1), 1, () => {
          splat.forEach((r, row) => {
            f.set(r, f.loadSplat(g(v.pA), 4 * row));
          });
          column.forEach((r, half) => {
            f.set(r, f.load(g(v.pB), 16 * half));
          });
          acc.forEach((r, idx) => {
            const product = f.f32x4Mul(f.get(splat[idx >> 1]!), f.get(column[idx % 2]!));
            f.set(r, f.f32x4Add(f.get(r), product));
          });
          f.set(v.pA, f.add(g(v.pA), g(v.aRow)));
          f.set(v.pB, f.add(g(v.pB), g(v.bRow)));
        });
        acc.forEach((r, idx) => {
          const row = Math.floor(idx / 2);
          f.store(f.add(g(v.pOut), f.mul(g(v.bRow), f.i32(row))), f.get(r), 16 * (idx % 2));
        });
      }),
    );
  });
  return f;
}

const transposedAMatMulModule = simdModule<TransposedAMatMulFunction>(() => [transposedAMatMul()]);

/** The module's bytes (assembled once). */
export const transposedAMatMulModuleBytes = transposedAMatMulModule.bytes;

/** The kernel on `memory`, or `null` where this engine has no wasm SIMD. */
export function transposedAMatMulKernel(
  memory: WebAssembly.Memory,
): TransposedAMatMulFunction | null {
  return transposedAMatMulModule.on(memory)?.transposedAMatMul ?? null;
}
