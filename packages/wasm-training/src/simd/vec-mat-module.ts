import { FunctionBuilder, simdModule, V128 } from './wasm-assembler';

/**
 * `out[n] = Σ_k a[k] · b[k, n]`: a row vector times a matrix (`[1, K]·[K, N]`, float32, row-major,
 * `N % 4 = 0`), in 128-bit wasm SIMD; arguments `(a, b, out, K, N)`, pointers in bytes.
 *
 * Why: tfjs-backend-wasm runs every matMul through XNNPACK's GEMM, which packs `b` first; for
 * `M = 1` that packing is most of the work (`[1, 100352]·[100352, 32]`: 12 ms for 6 MFLOP).
 * The batch norms' per-channel sums `1ᵀ·x` are exactly this shape. One pass over `b`, with the
 * output block in registers.
 */
export type VecMatFunction = (a: number, b: number, out: number, k: number, n: number) => void;

/** Output floats per register block, widest first: the kernel needs `N % (4 · unroll) = 0`. */
const UNROLLS = [8, 4, 1] as const;

function vecMat(unroll: number): FunctionBuilder {
  const f = new FunctionBuilder(`vecMat${unroll}`, 5);
  const [a, b, out, k, n] = f.args(5);
  const v = f.locals(['nb', 'i', 'rowBytes', 'pA', 'pB']);
  const acc = Array.from({ length: unroll }, () => f.local(V128));
  const aSplat = f.local(V128);
  const g = (i: number) => f.get(i);
  f.set(v.rowBytes, f.mul(n, f.i32(4)));
  f.forRange(v.nb, f.i32(0), g(v.rowBytes), 16 * unroll, () => {
    for (const r of acc) f.set(r, f.v128Zero());
    f.set(v.pA, a);
    f.set(v.pB, f.add(b, g(v.nb)));
    f.forRange(v.i, f.i32(0), k, 1, () => {
      f.set(aSplat, f.loadSplat(g(v.pA)));
      acc.forEach((r, u) => {
        f.set(r, f.f32x4Add(f.get(r), f.f32x4Mul(f.get(aSplat), f.load(g(v.pB), 16 * u))));
      });
      f.set(v.pA, f.add(g(v.pA), f.i32(4)));
      f.set(v.pB, f.add(g(v.pB), g(v.rowBytes)));
    });
    acc.forEach((r, u) => {
      f.store(f.add(out, g(v.nb)), f.get(r), 16 * u);
    });
  });
  return f;
}

const vecMatModule = simdModule<VecMatFunction>(() => UNROLLS.map(vecMat));

/** The module's bytes (assembled once). */
export const vecMatModuleBytes = vecMatModule.bytes;

/** The kernel for `N` output columns on `memory`, or `null` (no SIMD, or `N % 4 ≠ 0`). */
export function vecMatKernel(memory: WebAssembly.Memory, n: number): VecMatFunction | null {
  const unroll = UNROLLS.find((u) => n % (4 * u) === 0);
  if (unroll === undefined) return null;
  return vecMatModule.on(memory)?.[`vecMat${unroll}`] ?? null;
}
