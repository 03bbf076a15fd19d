import { assembleModule, type Expr, FunctionBuilder, instantiateOn, V128 } from './wasm-assembler';

/**
 * The filter gradient of a conv2d with one input channel, in 128-bit wasm SIMD (NHWC float32,
 * dilation 1, any stride, `Cout % 4 = 0`): `df[i, j, 0, c] = Σ_{n, y, x} xp[n, y·sh + i, x·sw + j] · dy[n, y, x, c]`
 * over the zero-padded input `xp` `[n, hp, wp]`. Arguments (pointers in bytes)
 * `(xp, dy, df, n, hp, wp, oh, ow, c, kh, sh, sw)`; the filter width `kw` is fixed per function
 * (`filterGrad<kw>x<unroll>`): one filter row of `kw` taps × `4·unroll` channels stays in
 * registers while the sum runs over every output pixel, so `dy` is read `kh · Cout/(4·unroll)`
 * times and `df` written once.
 *
 * Why: the lifting layer's filter gradient (`[16,28,28,1]` images, `[16,28,28,128]` dy, 5×5) was
 * XNNPACK's conv of the transposed input with the transposed `dy` as filter: 6.4 MB of `dy`
 * transposed and repacked per call for 80 MFLOP.
 */
export type FilterGradFunction = (
  xp: number,
  dy: number,
  df: number,
  n: number,
  hp: number,
  wp: number,
  oh: number,
  ow: number,
  c: number,
  kh: number,
  sh: number,
  sw: number,
) => void;

/** Filter widths the module is generated for; wider filters fall back. */
export const MAX_FILTER_WIDTH = 7;

function filterGrad(kw: number, unroll: number): FunctionBuilder {
  const f = new FunctionBuilder(`filterGrad${kw}x${unroll}`, 12);
  const [xp, dy, df, n, hp, wp, oh, ow, c, kh, sh, sw] = Array.from({ length: 12 }, (_, i) =>
    f.get(i),
  ) as Expr[] as [Expr, Expr, Expr, Expr, Expr, Expr, Expr, Expr, Expr, Expr, Expr, Expr];
  const v = f.locals(['px', 'cb', 'ky', 'b', 'oy', 'ox', 'rowX', 'rowDy', 'pX', 'pDy', 'pF']);
  const acc = Array.from({ length: kw }, () => Array.from({ length: unroll }, () => f.local(V128)));
  const d = Array.from({ length: unroll }, () => f.local(V128));
  const splat = f.local(V128);
  const g = (i: number) => f.get(i);
  f.set(v.px, f.mul(c, f.i32(4)));
  f.forRange(v.cb, f.i32(0), g(v.px), 16 * unroll, () =>
    f.forRange(v.ky, f.i32(0), kh, 1, () => {
      for (const row of acc) for (const r of row) f.set(r, f.v128Zero());
      f.forRange(v.b, f.i32(0), n, 1, () =>
        f.forRange(v.oy, f.i32(0), oh, 1, () => {
          const xRow = f.add(f.mul(g(v.b), hp), f.add(f.mul(g(v.oy), sh), g(v.ky)));
          f.set(v.rowX, f.add(xp, f.mul(f.mul(xRow, wp), f.i32(4))));
          const dyRow = f.mul(f.add(f.mul(g(v.b), oh), g(v.oy)), ow);
          f.set(v.rowDy, f.add(f.add(dy, f.mul(dyRow, g(v.px))), g(v.cb)));
          f.forRange(v.ox, f.i32(0), ow, 1, () => {
            f.set(v.pDy, f.add(g(v.rowDy), f.mul(g(v.ox), g(v.px))));
            d.forEach((r, u) => {
              f.set(r, f.load(g(v.pDy), 16 * u));
            });
            f.set(v.pX, f.add(g(v.rowX), f.mul(f.mul(g(v.ox), sw), f.i32(4))));
            acc.forEach((row, j) => {
              f.set(splat, f.loadSplat(g(v.pX), 4 * j));
              row.forEach((r, u) => {
                f.set(r, f.f32x4Add(f.get(r), f.f32x4Mul(f.get(splat), f.get(d[u]!))));
              });
            });
          });
        }),
      );
      // df[ky, j, 0, cb…] for the row's taps j
      f.set(v.pF, f.add(f.add(df, f.mul(f.mul(g(v.ky), f.i32(kw)), g(v.px))), g(v.cb)));
      acc.forEach((row, j) => {
        row.forEach((r, u) => {
          f.store(f.add(g(v.pF), f.mul(f.i32(j), g(v.px))), f.get(r), 16 * u);
        });
      });
    }),
  );
  return f;
}

const modules = new Map<number, Uint8Array<ArrayBuffer>>();

/** The module for filter width `kw` (assembled once per width): unrolls 2 and 1. */
export function filterGradModuleBytes(kw: number): Uint8Array<ArrayBuffer> {
  let bytes = modules.get(kw);
  if (!bytes) {
    bytes = assembleModule([filterGrad(kw, 2), filterGrad(kw, 1)]);
    modules.set(kw, bytes);
  }
  return bytes;
}

/**
 * The kernel for filter width `kw` and `c` output channels on `memory`, or `null` (no wasm SIMD,
 * `kw > MAX_FILTER_WIDTH`, or `c % 4 ≠ 0`).
 */
export function filterGradKernel(
  memory: WebAssembly.Memory,
  kw: number,
  c: number,
): FilterGradFunction | null {
  if (!(kw >= 1 && kw <= MAX_FILTER_WIDTH) || c % 4 !== 0) return null;
  const unroll = c % 8 === 0 ? 2 : 1;
  const e = instantiateOn(filterGradModuleBytes(kw), memory);
  return e ? (e[`filterGrad${kw}x${unroll}`] as FilterGradFunction) : null;
}
