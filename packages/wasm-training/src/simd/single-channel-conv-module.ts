import { type Expr, FunctionBuilder, type SimdModule, simdModule, V128 } from './wasm-assembler';

/**
 * A conv2d with one input channel (a lifting layer on grey images) in 128-bit wasm SIMD, NHWC
 * float32, dilation 1, any stride, `Cout % 4 = 0`, over a zero-padded copy of the input
 * `xp` `[n, hp, wp]` (the caller pads; no bounds tests inside):
 *
 * - `forward`: `y[n, p, q, c] = Σ_{i, j} xp[n, p·sh + i, q·sw + j] · f[i, j, 0, c]`, arguments
 *   `(xp, f, y, n, hp, wp, oh, ow, c, kh, kw, sh, sw)`; 4 output pixels × 8 channels stay in
 *   registers across the taps (then 1 pixel for the rest of a row).
 * - `filterGrad<kw>`: `df[i, j, 0, c] = Σ_{n, p, q} xp[n, p·sh + i, q·sw + j] · dy[n, p, q, c]`,
 *   arguments `(xp, dy, df, n, hp, wp, oh, ow, c, kh, sh, sw)`, `df` zero on entry, one function
 *   per filter width: per output row of `dy` (read from memory once), a filter row of `kw` taps ×
 *   8 channels stays in registers while the sum runs along the row, then is added into `df`.
 *
 * Why: XNNPACK's conv with one input channel runs ≈ 8 GFLOP/s (the lifting layer,
 * `[16,28,28,1]` * `[5,5,1,128]`: 10.5 ms CPU for 80 MFLOP), and the filter gradient was its conv
 * of the transposed input with the transposed `dy` as filter (6.4 MB of `dy` transposed and
 * repacked per call).
 */
export type ForwardFunction = (
  xp: number,
  f: number,
  y: number,
  n: number,
  hp: number,
  wp: number,
  oh: number,
  ow: number,
  c: number,
  kh: number,
  kw: number,
  sh: number,
  sw: number,
) => void;

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
  const [xp, dy, df, n, hp, wp, oh, ow, c, kh, sh, sw] = f.args(12);
  const v = f.locals(['px', 'sw4', 'cb', 'ky', 'b', 'oy', 'ox', 'pX', 'pDy', 'pF']);
  const acc = Array.from({ length: kw }, () => Array.from({ length: unroll }, () => f.local(V128)));
  const d = Array.from({ length: unroll }, () => f.local(V128));
  const splat = f.local(V128);
  const g = (i: number) => f.get(i);
  f.set(v.px, f.mul(c, f.i32(4)));
  f.set(v.sw4, f.mul(sw, f.i32(4)));
  // One output row of dy (≤ a few KB) at a time, so it is read from memory once: every
  // (channel block, filter row) sums over the row in registers and adds into df.
  f.forRange(v.b, f.i32(0), n, 1, () =>
    f.forRange(v.oy, f.i32(0), oh, 1, () => {
      const dyRow = f.mul(f.add(f.mul(g(v.b), oh), g(v.oy)), ow);
      f.forRange(v.cb, f.i32(0), g(v.px), 16 * unroll, () =>
        f.forRange(v.ky, f.i32(0), kh, 1, () => {
          for (const row of acc) for (const r of row) f.set(r, f.v128Zero());
          const xRow = f.add(f.mul(g(v.b), hp), f.add(f.mul(g(v.oy), sh), g(v.ky)));
          f.set(v.pX, f.add(xp, f.mul(f.mul(xRow, wp), f.i32(4))));
          f.set(v.pDy, f.add(f.add(dy, f.mul(dyRow, g(v.px))), g(v.cb)));
          f.forRange(v.ox, f.i32(0), ow, 1, () => {
            d.forEach((r, u) => {
              f.set(r, f.load(g(v.pDy), 16 * u));
            });
            acc.forEach((row, j) => {
              f.set(splat, f.loadSplat(g(v.pX), 4 * j));
              row.forEach((r, u) => {
                f.set(r, f.f32x4Add(f.get(r), f.f32x4Mul(f.get(splat), f.get(d[u]!))));
              });
            });
            f.set(v.pDy, f.add(g(v.pDy), g(v.px)));
            f.set(v.pX, f.add(g(v.pX), g(v.sw4)));
          });
          // df[ky, j, 0, cb…] += the row's sums, for the filter row's taps j
          f.set(v.pF, f.add(f.add(df, f.mul(f.mul(g(v.ky), f.i32(kw)), g(v.px))), g(v.cb)));
          acc.forEach((row, j) => {
            row.forEach((r, u) => {
              const at = f.add(g(v.pF), f.mul(f.i32(j), g(v.px)));
              f.store(at, f.f32x4Add(f.load(at, 16 * u), f.get(r)), 16 * u);
            });
          });
        }),
      );
    }),
  );
  return f;
}

/** Output pixels per register block of `forward`: 4, then 1 for the rest of a row. */
const PIXELS = 4;

function forward(unroll: number): FunctionBuilder {
  const f = new FunctionBuilder(`forward${unroll}`, 13);
  const [xp, fl, y, n, hp, wp, oh, ow, c, kh, kw, sh, sw] = f.args(13);
  const v = f.locals([
    'px',
    'sw4',
    'wp4',
    'b',
    'oy',
    'ox',
    'oxEnd',
    'cb',
    'ky',
    'kx',
    'rowY',
    'rowX',
    'pXRow',
    'pX',
    'q',
    'pF',
  ]);
  const acc = Array.from({ length: PIXELS }, () =>
    Array.from({ length: unroll }, () => f.local(V128)),
  );
  const fv = Array.from({ length: unroll }, () => f.local(V128));
  const splat = f.local(V128);
  const g = (i: number) => f.get(i);
  const bump = (i: number, by: Expr) => f.set(i, f.add(g(i), by));
  /** `pixels` outputs from `ox` on, every channel block: the taps run with the sums in registers. */
  const block = (pixels: number) =>
    f.forRange(v.cb, f.i32(0), g(v.px), 16 * unroll, () => {
      for (let p = 0; p < pixels; p++) for (const r of acc[p]!) f.set(r, f.v128Zero());
      f.set(v.pF, f.add(fl, g(v.cb))); // tap (0, 0); the taps are consecutive rows of f
      f.set(v.pXRow, f.add(g(v.rowX), f.mul(g(v.ox), g(v.sw4))));
      f.forRange(v.ky, f.i32(0), kh, 1, () => {
        f.set(v.pX, g(v.pXRow));
        f.forRange(v.kx, f.i32(0), kw, 1, () => {
          fv.forEach((r, u) => {
            f.set(r, f.load(g(v.pF), 16 * u));
          });
          f.set(v.q, g(v.pX));
          for (let p = 0; p < pixels; p++) {
            f.set(splat, f.loadSplat(g(v.q)));
            acc[p]!.forEach((r, u) => {
              f.set(r, f.f32x4Add(f.get(r), f.f32x4Mul(f.get(splat), f.get(fv[u]!))));
            });
            if (p < pixels - 1) bump(v.q, g(v.sw4));
          }
          bump(v.pF, g(v.px));
          bump(v.pX, f.i32(4));
        });
        bump(v.pXRow, g(v.wp4));
      });
      for (let p = 0; p < pixels; p++) {
        const at = f.add(f.add(g(v.rowY), f.mul(f.add(g(v.ox), f.i32(p)), g(v.px))), g(v.cb));
        acc[p]!.forEach((r, u) => {
          f.store(at, f.get(r), 16 * u);
        });
      }
    });
  f.set(v.px, f.mul(c, f.i32(4)));
  f.set(v.sw4, f.mul(sw, f.i32(4)));
  f.set(v.wp4, f.mul(wp, f.i32(4)));
  f.set(v.oxEnd, f.mul(f.divS(ow, f.i32(PIXELS)), f.i32(PIXELS)));
  f.forRange(v.b, f.i32(0), n, 1, () =>
    f.forRange(v.oy, f.i32(0), oh, 1, () => {
      f.set(v.rowY, f.add(y, f.mul(f.mul(f.add(f.mul(g(v.b), oh), g(v.oy)), ow), g(v.px))));
      const xRow = f.add(f.mul(g(v.b), hp), f.mul(g(v.oy), sh));
      f.set(v.rowX, f.add(xp, f.mul(xRow, g(v.wp4))));
      f.forRange(v.ox, f.i32(0), g(v.oxEnd), PIXELS, () => block(PIXELS));
      f.forRange(v.ox, g(v.oxEnd), ow, 1, () => block(1));
    }),
  );
  return f;
}

const modules = new Map<number, SimdModule<ForwardFunction | FilterGradFunction>>();

/** The module for filter width `kw` (assembled once per width, see {@link singleChannelConvModuleBytes}). */
function moduleFor(kw: number): SimdModule<ForwardFunction | FilterGradFunction> {
  let m = modules.get(kw);
  if (!m) {
    m = simdModule(() => [forward(2), forward(1), filterGrad(kw, 2), filterGrad(kw, 1)]);
    modules.set(kw, m);
  }
  return m;
}

/**
 * The module's bytes for filter width `kw` (assembled once per width): `forward` and
 * `filterGrad<kw>`, each for 8 channels per block (`x2`) and 4 (`x1`).
 */
export function singleChannelConvModuleBytes(kw: number): Uint8Array<ArrayBuffer> {
  return moduleFor(kw).bytes();
}

export interface SingleChannelConvKernels {
  forward: ForwardFunction;
  filterGrad: FilterGradFunction;
}

/**
 * The kernels for filter width `kw` and `c` output channels on `memory`, or `null` (no wasm
 * SIMD, `kw > MAX_FILTER_WIDTH`, or `c % 4 ≠ 0`).
 */
export function singleChannelConvKernels(
  memory: WebAssembly.Memory,
  kw: number,
  c: number,
): SingleChannelConvKernels | null {
  if (!(kw >= 1 && kw <= MAX_FILTER_WIDTH) || c % 4 !== 0) return null;
  const unroll = c % 8 === 0 ? 2 : 1;
  const e = moduleFor(kw).on(memory);
  if (!e) return null;
  return {
    forward: e[`forward${unroll}`] as ForwardFunction,
    filterGrad: e[`filterGrad${kw}x${unroll}`] as FilterGradFunction,
  };
}
