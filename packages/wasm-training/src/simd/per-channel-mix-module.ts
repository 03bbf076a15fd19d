import { FunctionBuilder, simdModule, V128 } from './wasm-assembler';

/**
 * A small mixing along one axis with its own matrix per channel, and its weight gradient, in
 * 128-bit wasm SIMD: the per-channel scale mixing of a Sim(2) `separable+2d` convolution
 * (`@gcnn/group-conv`), S = 3 scales. A matMul with the block-diagonal `[S·C, S·C]` matrix does
 * the same at C times the FLOPs. Arguments are pointers in bytes into the tfjs wasm heap and
 * sizes; `c % 4 = 0`:
 *
 * - `mix(x, w, out, m, s, t, c)`: x `[m, s, c]`, w `[s, t, c]` → out `[m, t, c]`,
 *   `out[m, t, c] = Σ_s x[m, s, c] · w[s, t, c]`;
 * - `filter(x, dy, out, m, s, t, c)`: x `[m, s, c]`, dy `[m, t, c]` → out `[s, t, c]`,
 *   `out[s, t, c] = Σ_m x[m, s, c] · dy[m, t, c]`, summed in blocks of {@link BLOCK} rows (each
 *   block's sum in registers, then added to out): blocks of x and dy stay in cache across the
 *   s·t products, and the float32 sum grows in m/BLOCK steps, not m.
 *
 * Each output vector of 4 channels (16 where `c % 16 = 0`) sums in registers.
 */
export type PerChannelMixFunction = (
  a: number,
  b: number,
  out: number,
  m: number,
  s: number,
  t: number,
  c: number,
) => void;

export interface PerChannelMixKernels {
  mix: PerChannelMixFunction;
  filter: PerChannelMixFunction;
}

/** Rows per block of the weight gradient's sum. */
export const BLOCK = 64;
const PARAMS = 7;
/** Channels per step: 4·unroll (`c % (4·unroll) = 0`). */
const UNROLLS = [4, 1] as const;

function builder(name: string, unroll: number) {
  const f = new FunctionBuilder(`${name}${unroll}`, PARAMS);
  const [a, b, out, m, s, t, c] = f.args(7);
  const acc = Array.from({ length: unroll }, () => f.local(V128));
  return { f, a: a!, b: b!, out: out!, m: m!, s: s!, t: t!, c: c!, acc };
}

/** `out[row, tt, cb] = Σ_ss x[row, ss, cb]·w[ss, tt, cb]`. */
function mix(unroll: number): FunctionBuilder {
  const { f, a: x, b: w, out, m, s, t, c, acc } = builder('mix', unroll);
  const v = f.locals(['row', 'tt', 'cb', 'ss', 'px', 'pw', 'po', 'xStride', 'wStride']);
  const g = (i: number) => f.get(i);
  f.set(v.xStride, f.mul(c, f.i32(4))); // bytes from x[row, ss] to x[row, ss + 1]
  f.set(v.wStride, f.mul(f.mul(t, c), f.i32(4))); // from w[ss, tt] to w[ss + 1, tt]
  f.set(v.po, out);
  f.forRange(v.row, f.i32(0), m, 1, () =>
    f.forRange(v.tt, f.i32(0), t, 1, () =>
      f.forRange(v.cb, f.i32(0), c, 4 * unroll, () => {
        for (const r of acc) f.set(r, f.v128Zero());
        // x[row, 0, cb] and w[0, tt, cb]
        f.set(v.px, f.add(x, f.mul(f.add(f.mul(f.mul(g(v.row), s), c), g(v.cb)), f.i32(4))));
        f.set(v.pw, f.add(w, f.mul(f.add(f.mul(g(v.tt), c), g(v.cb)), f.i32(4))));
        f.forRange(v.ss, f.i32(0), s, 1, () => {
          acc.forEach((r, u) => {
            f.set(
              r,
              f.f32x4Add(g(r), f.f32x4Mul(f.load(g(v.px), 16 * u), f.load(g(v.pw), 16 * u))),
            );
          });
          f.set(v.px, f.add(g(v.px), g(v.xStride)));
          f.set(v.pw, f.add(g(v.pw), g(v.wStride)));
        });
        // out is written in order: [row, tt, cb]
        acc.forEach((r, u) => {
          f.store(g(v.po), g(r), 16 * u);
        });
        f.set(v.po, f.add(g(v.po), f.i32(16 * unroll)));
      }),
    ),
  );
  return f;
}

/** `out[ss, tt, cb] = Σ_row x[row, ss, cb]·dy[row, tt, cb]`, in blocks of BLOCK rows. */
function filter(unroll: number): FunctionBuilder {
  const { f, a: x, b: dy, out, m, s, t, c, acc } = builder('filter', unroll);
  const v = f.locals(['i', 'r0', 'r1', 'ss', 'tt', 'cb', 'row', 'px', 'pd', 'po', 'xRow', 'dRow']);
  const g = (i: number) => f.get(i);
  f.set(v.xRow, f.mul(f.mul(s, c), f.i32(4))); // bytes of one row of x
  f.set(v.dRow, f.mul(f.mul(t, c), f.i32(4))); // and of dy
  f.forRange(v.i, f.i32(0), f.mul(f.mul(s, t), c), 4, () => {
    f.store(f.add(out, f.mul(g(v.i), f.i32(4))), f.v128Zero());
  });
  f.forRange(v.r0, f.i32(0), m, BLOCK, () => {
    f.set(v.r1, f.add(g(v.r0), f.i32(BLOCK)));
    f.when(f.geS(g(v.r1), m), () => f.set(v.r1, m));
    f.forRange(v.ss, f.i32(0), s, 1, () =>
      f.forRange(v.tt, f.i32(0), t, 1, () =>
        f.forRange(v.cb, f.i32(0), c, 4 * unroll, () => {
          for (const r of acc) f.set(r, f.v128Zero());
          // x[r0, ss, cb] and dy[r0, tt, cb]
          f.set(
            v.px,
            f.add(x, f.mul(f.add(f.mul(f.add(f.mul(g(v.r0), s), g(v.ss)), c), g(v.cb)), f.i32(4))),
          );
          f.set(
            v.pd,
            f.add(dy, f.mul(f.add(f.mul(f.add(f.mul(g(v.r0), t), g(v.tt)), c), g(v.cb)), f.i32(4))),
          );
          f.forRange(v.row, g(v.r0), g(v.r1), 1, () => {
            acc.forEach((r, u) => {
              f.set(
                r,
                f.f32x4Add(g(r), f.f32x4Mul(f.load(g(v.px), 16 * u), f.load(g(v.pd), 16 * u))),
              );
            });
            f.set(v.px, f.add(g(v.px), g(v.xRow)));
            f.set(v.pd, f.add(g(v.pd), g(v.dRow)));
          });
          f.set(
            v.po,
            f.add(
              out,
              f.mul(f.add(f.mul(f.add(f.mul(g(v.ss), t), g(v.tt)), c), g(v.cb)), f.i32(4)),
            ),
          );
          acc.forEach((r, u) => {
            f.store(g(v.po), f.f32x4Add(f.load(g(v.po), 16 * u), g(r)), 16 * u);
          });
        }),
      ),
    );
  });
  return f;
}

const perChannelMixModule = simdModule<PerChannelMixFunction>(() =>
  UNROLLS.flatMap((u) => [mix(u), filter(u)]),
);

/** The module's bytes (assembled once). */
export const perChannelMixModuleBytes = perChannelMixModule.bytes;

/**
 * The kernels for `c` channels on `memory` (16 channels per step where `c % 16 = 0`, else 4), or
 * `null` where this engine has no wasm SIMD or `c % 4 ≠ 0`.
 */
export function perChannelMixKernels(
  memory: WebAssembly.Memory,
  c: number,
): PerChannelMixKernels | null {
  if (c % 4 !== 0) return null;
  const e = perChannelMixModule.on(memory);
  if (!e) return null;
  const u = c % 16 === 0 ? 4 : 1;
  return { mix: e[`mix${u}`]!, filter: e[`filter${u}`]! };
}
