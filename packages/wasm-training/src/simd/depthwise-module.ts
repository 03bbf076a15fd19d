import { type Expr, FunctionBuilder, simdModule, V128 } from './wasm-assembler';

/**
 * Depthwise 2-D convolution kernels in 128-bit wasm SIMD, for NHWC float32, channel multiplier 1,
 * dilation 1, any stride and padding, `C % 4 = 0`. Every function takes the same 15 i32
 * arguments (pointers in bytes into the tfjs wasm heap):
 *
 * `(a, b, out, n, h, w, c, oh, ow, kh, kw, sh, sw, padTop, padLeft)`
 *
 * - `forward`:        a = x `[n,h,w,c]`, b = filter `[kh,kw,c]`, out = y `[n,oh,ow,c]`
 *   `y[n,p,q,c] = Σ_{i,j} x[n, p·sh − pt + i, q·sw − pl + j, c] · f[i,j,c]`
 * - `backpropInput`:  a = dy `[n,oh,ow,c]`, b = filter, out = dx `[n,h,w,c]` (gathered: each dx
 *   element sums the `dy` taps that read it, so no output is written twice)
 * - `backpropFilter`: a = x, b = dy, out = df `[kh,kw,c]`, which must be zero on entry
 *   (accumulated over the batch and the output rows)
 *
 * Why: tfjs-backend-wasm's XNNPACK depthwise runs 2.7–4.4 GFLOP/s on the 7×7 maps of the
 * separable group convs (conv2d and matMul reach 35–45 GFLOP/s); the gradients were composites of
 * it. The forward kernel computes tiles of output pixels (see {@link forward}), the filter
 * gradient tiles of filter taps (see {@link backpropFilter}); the input gradient keeps `unroll`
 * v128 accumulators (4·unroll channels) in locals across the taps.
 */
export type DepthwiseFunction = (
  a: number,
  b: number,
  out: number,
  n: number,
  h: number,
  w: number,
  c: number,
  oh: number,
  ow: number,
  kh: number,
  kw: number,
  sh: number,
  sw: number,
  padTop: number,
  padLeft: number,
) => void;

/** `forward` with a 16th argument, the bias pointer `[c]` (see {@link ForwardEpilogue}). */
export type DepthwiseEpilogueFunction = (
  ...args: [...Parameters<DepthwiseFunction>, bias: number]
) => void;

export interface DepthwiseKernels {
  forward: DepthwiseFunction;
  forwardBias: DepthwiseEpilogueFunction;
  forwardBiasRelu: DepthwiseEpilogueFunction;
  backpropInput: DepthwiseFunction;
  backpropFilter: DepthwiseFunction;
}

/** Channels per accumulator block for each unroll: the kernels need `C % (4 · unroll) = 0`. */
export const UNROLLS = [4, 1] as const;

/** Channel vectors per forward tile for each unroll (4 pixels × this many v128 accumulators). */
const FORWARD_VECTORS = { 4: 2, 1: 1 } as const;

const PARAM_NAMES = [
  'a',
  'b',
  'out',
  'n',
  'h',
  'w',
  'c',
  'oh',
  'ow',
  'kh',
  'kw',
  'sh',
  'sw',
  'pt',
  'pl',
] as const;

/**
 * A kernel function with its parameters as expressions (`p.h` pushes `h`), the byte size of one
 * pixel's channels `px`, `locals` named as given, and `unroll` v128 accumulators.
 */
function start<const K extends string>(
  name: string,
  unroll: number,
  localNames: readonly K[],
  extraParams = 0,
) {
  const f = new FunctionBuilder(name, PARAM_NAMES.length + extraParams);
  const p = Object.fromEntries(PARAM_NAMES.map((k, i) => [k, f.get(i)])) as Record<
    (typeof PARAM_NAMES)[number],
    Expr
  >;
  const pixelBytes = f.local();
  f.set(pixelBytes, f.mul(p.c, f.i32(4)));
  const v = f.locals(localNames);
  const acc = Array.from({ length: unroll }, () => f.local(V128));
  return { f, p, px: f.get(pixelBytes), v, acc, g: (i: number) => f.get(i) };
}

/**
 * The locals of a loop over output (or input) pixels and filter taps: batch, row, column,
 * channel block, tap row and column, source row and column.
 */
const PIXEL_LOOP_LOCALS = ['b', 'oy', 'ox', 'cb', 'ky', 'kx', 'sy', 'sx'] as const;

/** `acc[u] += load(p + 16u) · load(q + 16u)` for every accumulator. */
function multiplyAdd(f: FunctionBuilder, acc: readonly number[], p: Expr, q: Expr): void {
  acc.forEach((r, u) => {
    f.set(r, f.f32x4Add(f.get(r), f.f32x4Mul(f.load(p, 16 * u), f.load(q, 16 * u))));
  });
}

function zero(f: FunctionBuilder, acc: readonly number[]): void {
  for (const r of acc) f.set(r, f.v128Zero());
}

/** `store(address + 16u, acc[u])`, or `+=` into memory when `accumulate`. */
function storeAll(
  f: FunctionBuilder,
  acc: readonly number[],
  address: Expr,
  accumulate = false,
): void {
  acc.forEach((r, u) => {
    const value = accumulate ? f.f32x4Add(f.load(address, 16 * u), f.get(r)) : f.get(r);
    f.store(address, value, 16 * u);
  });
}

/**
 * The input gradient for any stride: every `dx` pixel gathers, per tap, the one `dy` pixel that
 * read it (`dy[q]` reads `x[q·s − pad + k]`, so `x[i]` is read by `q = (i + pad − k) / s` where
 * that divides exactly). runSimdDepthwise runs stride 1 as a {@link forward} conv instead.
 */
function backpropInput(unroll: number): FunctionBuilder {
  const { f, p, px, v, acc, g } = start(`backpropInput${unroll}`, unroll, [
    ...PIXEL_LOOP_LOCALS,
    't',
    'rowA',
    'rowF',
    'pOut',
  ]);
  /** Sets `to` to the `dy` coordinate that `dx` coordinate `o` reads at tap `k`; pushes whether it exists. */
  const locate = (o: number, k: number, stride: Expr, pad: Expr, size: Expr, to: number): Expr => {
    f.set(v.t, f.sub(f.add(g(o), pad), g(k)));
    f.set(to, f.divS(g(v.t), stride));
    const exact = f.and(f.geS(g(v.t), f.i32(0)), f.eq(f.remS(g(v.t), stride), f.i32(0)));
    return f.and(exact, f.ltU(g(to), size));
  };
  f.forRange(v.b, f.i32(0), p.n, 1, () =>
    f.forRange(v.oy, f.i32(0), p.h, 1, () =>
      f.forRange(v.ox, f.i32(0), p.w, 1, () => {
        const pixel = f.add(f.mul(f.add(f.mul(g(v.b), p.h), g(v.oy)), p.w), g(v.ox));
        f.set(v.pOut, f.add(p.out, f.mul(pixel, px)));
        f.forRange(v.cb, f.i32(0), px, 16 * unroll, () => {
          zero(f, acc);
          f.forRange(v.ky, f.i32(0), p.kh, 1, () => {
            f.when(locate(v.oy, v.ky, p.sh, p.pt, p.oh, v.sy), () => {
              const row = f.mul(f.mul(f.add(f.mul(g(v.b), p.oh), g(v.sy)), p.ow), px);
              f.set(v.rowA, f.add(f.add(p.a, row), g(v.cb)));
              f.set(v.rowF, f.add(f.add(p.b, f.mul(f.mul(g(v.ky), p.kw), px)), g(v.cb)));
              f.forRange(v.kx, f.i32(0), p.kw, 1, () => {
                f.when(locate(v.ox, v.kx, p.sw, p.pl, p.ow, v.sx), () =>
                  multiplyAdd(
                    f,
                    acc,
                    f.add(g(v.rowA), f.mul(g(v.sx), px)),
                    f.add(g(v.rowF), f.mul(g(v.kx), px)),
                  ),
                );
              });
            });
          });
          storeAll(f, acc, f.add(g(v.pOut), g(v.cb)));
        });
      }),
    ),
  );
  return f;
}

/**
 * What the forward kernel does to each sum before it stores it: nothing (`forward`), add the
 * channel's bias (`forwardBias`), or add it and apply a ReLU (`forwardBiasRelu`). The latter two
 * take the bias pointer as a 16th argument: tfjs's `FusedDepthwiseConv2D` with a bias and a
 * linear or ReLU activation, e.g. an inference batch norm folded into the conv before it.
 */
export type ForwardEpilogue = 'none' | 'bias' | 'biasRelu';

const FORWARD_NAMES = { none: 'forward', bias: 'forwardBias', biasRelu: 'forwardBiasRelu' };

/** Output pixels along a row that the forward kernel computes together (see {@link forward}). */
const TILE_PIXELS = 4;

/** The forward kernel's function, locals and multiply-add (see {@link forward}). */
function forwardContext(unroll: number, vectors: number, epilogue: ForwardEpilogue) {
  const { f, p, px, v, g } = start(
    `${FORWARD_NAMES[epilogue]}${unroll}`,
    0,
    [...PIXEL_LOOP_LOCALS, 'sx0', 'interior', 'rowA', 'tap', 'src', 'pOut', 'tail'] as const,
    epilogue === 'none' ? 0 : 1,
  );
  // the epilogue variants' 16th argument: the bias `[c]`
  const bias = epilogue === 'none' ? null : f.get(PARAM_NAMES.length);
  const acc = Array.from({ length: TILE_PIXELS * vectors }, () => f.local(V128));
  const filter = Array.from({ length: vectors }, () => f.local(V128));
  // byte distance between the source pixels of neighbouring output pixels, times 0..TILE_PIXELS-1
  const step = Array.from({ length: TILE_PIXELS }, () => f.local());
  step.forEach((l, j) => {
    f.set(l, f.mul(f.mul(p.sw, px), f.i32(j)));
  });
  /** `acc[j·vectors + u] += load(source + 16u) · value(u)` for one pixel `j` of the tile. */
  const multiplyAdd = (j: number, source: Expr, value: (u: number) => Expr) => {
    for (let u = 0; u < vectors; u++) {
      const r = acc[j * vectors + u]!;
      f.set(r, f.f32x4Add(f.get(r), f.f32x4Mul(f.load(source, 16 * u), value(u))));
    }
  };
  return { f, p, px, v, g, acc, filter, step, vectors, multiplyAdd, epilogue, bias };
}

type ForwardContext = ReturnType<typeof forwardContext>;

/**
 * One tile of `pixels` output pixels at (b, oy, ox): interior tiles without checks, each filter
 * vector loaded once for the tile's pixels; border tiles check every source pixel.
 */
function emitTile(c: ForwardContext, pixels: number): void {
  const { f, p, px, v, g, acc, filter, step, vectors, multiplyAdd } = c;
  const pixel = f.add(f.mul(f.add(f.mul(g(v.b), p.oh), g(v.oy)), p.ow), g(v.ox));
  f.set(v.pOut, f.add(p.out, f.mul(pixel, px)));
  // the first source column the tile reads; the tile is interior when all its taps are inside
  f.set(v.sx0, f.sub(f.mul(g(v.ox), p.sw), p.pl));
  const lastColumn = f.add(f.add(g(v.sx0), f.sub(p.kw, f.i32(1))), f.mul(p.sw, f.i32(pixels - 1)));
  f.set(v.interior, f.and(f.geS(g(v.sx0), f.i32(0)), f.ltU(lastColumn, p.w)));
  f.forRange(v.cb, f.i32(0), px, 16 * vectors, () => {
    for (const r of acc.slice(0, pixels * vectors)) f.set(r, f.v128Zero());
    f.forRange(v.ky, f.i32(0), p.kh, 1, () => {
      f.set(v.sy, f.add(f.sub(f.mul(g(v.oy), p.sh), p.pt), g(v.ky)));
      f.when(f.ltU(g(v.sy), p.h), () => {
        const row = f.mul(f.mul(f.add(f.mul(g(v.b), p.h), g(v.sy)), p.w), px);
        f.set(v.rowA, f.add(f.add(p.a, row), g(v.cb)));
        f.set(v.tap, f.add(f.add(p.b, f.mul(f.mul(g(v.ky), p.kw), px)), g(v.cb)));
        // interior: no checks, and each filter vector loaded once for the tile's pixels
        const fast = () => {
          f.set(v.src, f.add(g(v.rowA), f.mul(g(v.sx0), px)));
          f.forRange(v.kx, f.i32(0), p.kw, 1, () => {
            filter.forEach((r, u) => {
              f.set(r, f.load(g(v.tap), 16 * u));
            });
            for (let j = 0; j < pixels; j++)
              multiplyAdd(j, f.add(g(v.src), g(step[j]!)), (u) => f.get(filter[u]!));
            f.set(v.src, f.add(g(v.src), px));
            f.set(v.tap, f.add(g(v.tap), px));
          });
        };
        // at a border: every source pixel checked
        const checked = () =>
          f.forRange(v.kx, f.i32(0), p.kw, 1, () => {
            for (let j = 0; j < pixels; j++) {
              f.set(v.sx, f.add(f.add(g(v.sx0), g(v.kx)), f.mul(p.sw, f.i32(j))));
              f.when(f.ltU(g(v.sx), p.w), () =>
                multiplyAdd(j, f.add(g(v.rowA), f.mul(g(v.sx), px)), (u) =>
                  f.load(g(v.tap), 16 * u),
                ),
              );
            }
            f.set(v.tap, f.add(g(v.tap), px));
          });
        f.whenElse(g(v.interior), fast, checked);
      });
    });
    for (let j = 0; j < pixels; j++) {
      const address = f.add(f.add(g(v.pOut), f.mul(px, f.i32(j))), g(v.cb));
      for (let u = 0; u < vectors; u++)
        f.store(address, stored(c, acc[j * vectors + u]!, u), 16 * u);
    }
  });
}

/**
 * What the forward kernel stores for accumulator `r` of channel vector `u`: the sum, or with the
 * epilogue variants `sum + bias[c]`, then `pmax(·, 0)` (`v < 0 ? 0 : v`, tfjs's ReLU: NaN and −0
 * pass through).
 */
function stored(c: ForwardContext, r: number, u: number): Expr {
  const { f, g, v, epilogue, bias } = c;
  if (bias === null) return f.get(r);
  const biased = f.f32x4Add(f.get(r), f.load(f.add(bias, g(v.cb)), 16 * u));
  return epilogue === 'biasRelu' ? f.f32x4Pmax(biased, f.v128Zero()) : biased;
}

/**
 * The forward conv, tiled: `TILE_PIXELS` neighbouring output pixels of a row × `vectors` channel
 * vectors at once, so each filter vector loaded serves `TILE_PIXELS` multiply-adds (the
 * one-pixel gather loads a filter vector per multiply-add and ran at ≈ 13 GFLOP/s). Taps whose
 * source pixels all lie inside the row take the fast path; taps at the borders check each pixel.
 * A row's last `ow mod TILE_PIXELS` pixels run as tiles of one pixel.
 */
function forward(
  unroll: number,
  vectors: number,
  epilogue: ForwardEpilogue = 'none',
): FunctionBuilder {
  const c = forwardContext(unroll, vectors, epilogue);
  const { f, p, v, g } = c;
  f.forRange(v.b, f.i32(0), p.n, 1, () =>
    f.forRange(v.oy, f.i32(0), p.oh, 1, () => {
      f.set(v.tail, f.sub(p.ow, f.remS(p.ow, f.i32(TILE_PIXELS))));
      f.forRange(v.ox, f.i32(0), g(v.tail), TILE_PIXELS, () => emitTile(c, TILE_PIXELS));
      f.forRange(v.ox, g(v.tail), p.ow, 1, () => emitTile(c, 1));
    }),
  );
  return f;
}

/** Filter taps along a row whose gradients the filter-gradient kernel sums together. */
const FILTER_TILE_TAPS = 4;

/** Channel vectors per filter-gradient tile for each unroll (taps × vectors v128 accumulators). */
const FILTER_VECTORS = { 4: 2, 1: 1 } as const;

/** The filter-gradient kernel's function, locals and pointer steps (see {@link backpropFilter}). */
function backpropFilterContext(unroll: number, vectors: number) {
  const { f, p, px, v, g } = start(`backpropFilter${unroll}`, 0, [
    'b',
    'oy',
    'ky',
    'kx',
    'cb',
    'ox',
    'iy',
    'ix',
    'rowX',
    'rowDy',
    'src',
    'pDy',
    'pF',
  ] as const);
  const acc = Array.from({ length: FILTER_TILE_TAPS * vectors }, () => f.local(V128));
  const dy = Array.from({ length: vectors }, () => f.local(V128));
  // byte distance between the source pixels of neighbouring taps, times 0..FILTER_TILE_TAPS-1
  const step = Array.from({ length: FILTER_TILE_TAPS }, () => f.local());
  step.forEach((l, t) => {
    f.set(l, f.mul(px, f.i32(t)));
  });
  return { f, p, px, v, g, acc, dy, step, vectors };
}

/**
 * `taps` neighbouring taps (kx … kx + taps − 1) × `vectors` channel vectors of one filter row,
 * summed over an output row: each `dy` vector loaded serves `taps` multiply-adds. Pixels whose
 * taps all read inside the input row take the unchecked path; at the borders each tap is checked.
 */
function emitFilterTile(c: ReturnType<typeof backpropFilterContext>, taps: number): void {
  const { f, p, px, v, g, acc, dy, step, vectors } = c;
  const used = acc.slice(0, taps * vectors);
  for (const r of used) f.set(r, f.v128Zero());
  f.set(v.pDy, f.add(g(v.rowDy), g(v.cb)));
  f.forRange(v.ox, f.i32(0), p.ow, 1, () => {
    f.set(v.ix, f.add(f.sub(f.mul(g(v.ox), p.sw), p.pl), g(v.kx)));
    f.set(v.src, f.add(f.add(g(v.rowX), f.mul(g(v.ix), px)), g(v.cb)));
    dy.forEach((r, u) => {
      f.set(r, f.load(g(v.pDy), 16 * u));
    });
    const multiplyAdd = (t: number) => {
      for (let u = 0; u < vectors; u++) {
        const r = acc[t * vectors + u]!;
        const x = f.load(f.add(g(v.src), g(step[t]!)), 16 * u);
        f.set(r, f.f32x4Add(f.get(r), f.f32x4Mul(x, f.get(dy[u]!))));
      }
    };
    const lastColumn = f.add(g(v.ix), f.i32(taps - 1));
    const inside = f.and(f.geS(g(v.ix), f.i32(0)), f.ltU(lastColumn, p.w));
    f.whenElse(
      inside,
      () => {
        for (let t = 0; t < taps; t++) multiplyAdd(t);
      },
      () => {
        for (let t = 0; t < taps; t++)
          f.when(f.ltU(f.add(g(v.ix), f.i32(t)), p.w), () => multiplyAdd(t));
      },
    );
    f.set(v.pDy, f.add(g(v.pDy), px));
  });
  const tap = f.add(f.mul(g(v.ky), p.kw), g(v.kx));
  f.set(v.pF, f.add(f.add(p.out, f.mul(tap, px)), g(v.cb)));
  for (let t = 0; t < taps; t++) {
    const address = f.add(g(v.pF), g(step[t]!));
    storeAll(f, used.slice(t * vectors, (t + 1) * vectors), address, true);
  }
}

/**
 * The filter gradient: for each batch item, output row and filter row, the taps of the filter row
 * in tiles of {@link FILTER_TILE_TAPS} (the row's last `kw mod 4` taps one tile of that size),
 * each tile × channel block summed over the output row in registers, then added into `df`.
 * One tap at a time loaded an `x` and a `dy` vector per multiply-add and ran at ≈ 11 GFLOP/s on
 * the 7×7 maps, against ≈ 18 for the tiled forward.
 */
function backpropFilter(unroll: number, vectors: number): FunctionBuilder {
  const c = backpropFilterContext(unroll, vectors);
  const { f, p, px, v, g } = c;
  const tiles = f.local();
  f.set(tiles, f.sub(p.kw, f.remS(p.kw, f.i32(FILTER_TILE_TAPS))));
  f.forRange(v.b, f.i32(0), p.n, 1, () =>
    f.forRange(v.oy, f.i32(0), p.oh, 1, () =>
      f.forRange(v.ky, f.i32(0), p.kh, 1, () => {
        f.set(v.iy, f.add(f.sub(f.mul(g(v.oy), p.sh), p.pt), g(v.ky)));
        f.when(f.ltU(g(v.iy), p.h), () => {
          f.set(v.rowX, f.add(p.a, f.mul(f.mul(f.add(f.mul(g(v.b), p.h), g(v.iy)), p.w), px)));
          f.set(v.rowDy, f.add(p.b, f.mul(f.mul(f.add(f.mul(g(v.b), p.oh), g(v.oy)), p.ow), px)));
          f.forRange(v.cb, f.i32(0), px, 16 * vectors, () => {
            f.forRange(v.kx, f.i32(0), g(tiles), FILTER_TILE_TAPS, () =>
              emitFilterTile(c, FILTER_TILE_TAPS),
            );
            // the last kw mod 4 taps as one tile (kx was left at the first of them)
            for (let rest = 1; rest < FILTER_TILE_TAPS; rest++) {
              f.when(f.eq(f.sub(p.kw, g(v.kx)), f.i32(rest)), () => emitFilterTile(c, rest));
            }
          });
        });
      }),
    ),
  );
  return f;
}

const depthwiseModule = simdModule<DepthwiseFunction | DepthwiseEpilogueFunction>(() =>
  UNROLLS.flatMap((u) => [
    forward(u, FORWARD_VECTORS[u]),
    forward(u, FORWARD_VECTORS[u], 'bias'),
    forward(u, FORWARD_VECTORS[u], 'biasRelu'),
    backpropInput(u),
    backpropFilter(u, FILTER_VECTORS[u]),
  ]),
);

/** The module's bytes (assembled once). */
export const depthwiseModuleBytes = depthwiseModule.bytes;

/**
 * The kernels for `unroll` running on `memory` (instantiated once per memory), or `null` where
 * this engine has no wasm SIMD.
 */
export function depthwiseKernels(
  memory: WebAssembly.Memory,
  unroll: (typeof UNROLLS)[number],
): DepthwiseKernels | null {
  const e = depthwiseModule.on(memory);
  if (!e) return null;
  return {
    forward: e[`forward${unroll}`] as DepthwiseFunction,
    forwardBias: e[`forwardBias${unroll}`] as DepthwiseEpilogueFunction,
    forwardBiasRelu: e[`forwardBiasRelu${unroll}`] as DepthwiseEpilogueFunction,
    backpropInput: e[`backpropInput${unroll}`] as DepthwiseFunction,
    backpropFilter: e[`backpropFilter${unroll}`] as DepthwiseFunction,
  };
}
