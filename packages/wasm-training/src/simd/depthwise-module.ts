import { assembleModule, type Expr, FunctionBuilder, instantiateOn, V128 } from './wasm-assembler';

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
 * it. Each variant keeps `unroll` v128 accumulators (4·unroll channels) in locals across the taps.
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

export interface DepthwiseKernels {
  forward: DepthwiseFunction;
  backpropInput: DepthwiseFunction;
  backpropFilter: DepthwiseFunction;
}

/** Channels per accumulator block for each unroll: the kernels need `C % (4 · unroll) = 0`. */
export const UNROLLS = [4, 1] as const;

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
function start<const K extends string>(name: string, unroll: number, localNames: readonly K[]) {
  const f = new FunctionBuilder(name, PARAM_NAMES.length);
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
 * The forward conv and the input gradient share one loop nest: every output pixel gathers, per
 * tap, one pixel of the source `a` (x for `forward`, dy for `backpropInput`) times the filter
 * tap. They differ in the output and source grids, and in which source pixel a tap reads.
 */
function gather(unroll: number, kind: 'forward' | 'backpropInput'): FunctionBuilder {
  const { f, p, px, v, acc, g } = start(`${kind}${unroll}`, unroll, [
    'b',
    'oy',
    'ox',
    'cb',
    'ky',
    'kx',
    'sy',
    'sx',
    't',
    'rowA',
    'rowF',
    'pOut',
  ]);
  const forward = kind === 'forward';
  const [outH, outW, srcH, srcW] = forward ? [p.oh, p.ow, p.h, p.w] : [p.h, p.w, p.oh, p.ow];
  /** Sets `to` to the source coordinate that output `o` reads at tap `k`; pushes whether it exists. */
  const locate = (o: number, k: number, stride: Expr, pad: Expr, size: Expr, to: number): Expr => {
    if (forward) {
      f.set(to, f.add(f.sub(f.mul(g(o), stride), pad), g(k)));
      return f.ltU(g(to), size);
    }
    // `dy[q]` reads `x[q·s − pad + k]`, so `x[i]` is read by `q = (i + pad − k) / s` where exact.
    f.set(v.t, f.sub(f.add(g(o), pad), g(k)));
    f.set(to, f.divS(g(v.t), stride));
    const exact = f.and(f.geS(g(v.t), f.i32(0)), f.eq(f.remS(g(v.t), stride), f.i32(0)));
    return f.and(exact, f.ltU(g(to), size));
  };
  f.forRange(v.b, f.i32(0), p.n, 1, () =>
    f.forRange(v.oy, f.i32(0), outH, 1, () =>
      f.forRange(v.ox, f.i32(0), outW, 1, () => {
        const pixel = f.add(f.mul(f.add(f.mul(g(v.b), outH), g(v.oy)), outW), g(v.ox));
        f.set(v.pOut, f.add(p.out, f.mul(pixel, px)));
        f.forRange(v.cb, f.i32(0), px, 16 * unroll, () => {
          zero(f, acc);
          f.forRange(v.ky, f.i32(0), p.kh, 1, () => {
            f.when(locate(v.oy, v.ky, p.sh, p.pt, srcH, v.sy), () => {
              const row = f.mul(f.mul(f.add(f.mul(g(v.b), srcH), g(v.sy)), srcW), px);
              f.set(v.rowA, f.add(f.add(p.a, row), g(v.cb)));
              f.set(v.rowF, f.add(f.add(p.b, f.mul(f.mul(g(v.ky), p.kw), px)), g(v.cb)));
              f.forRange(v.kx, f.i32(0), p.kw, 1, () => {
                f.when(locate(v.ox, v.kx, p.sw, p.pl, srcW, v.sx), () =>
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

function backpropFilter(unroll: number): FunctionBuilder {
  const { f, p, px, v, acc, g } = start(`backpropFilter${unroll}`, unroll, [
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
    'pF',
  ]);
  f.forRange(v.b, f.i32(0), p.n, 1, () =>
    f.forRange(v.oy, f.i32(0), p.oh, 1, () =>
      f.forRange(v.ky, f.i32(0), p.kh, 1, () => {
        f.set(v.iy, f.add(f.sub(f.mul(g(v.oy), p.sh), p.pt), g(v.ky)));
        f.when(f.ltU(g(v.iy), p.h), () => {
          f.set(v.rowX, f.add(p.a, f.mul(f.mul(f.add(f.mul(g(v.b), p.h), g(v.iy)), p.w), px)));
          f.set(v.rowDy, f.add(p.b, f.mul(f.mul(f.add(f.mul(g(v.b), p.oh), g(v.oy)), p.ow), px)));
          f.forRange(v.kx, f.i32(0), p.kw, 1, () =>
            f.forRange(v.cb, f.i32(0), px, 16 * unroll, () => {
              zero(f, acc);
              // one (tap, channel block): the sum over the output row stays in registers
              f.forRange(v.ox, f.i32(0), p.ow, 1, () => {
                f.set(v.ix, f.add(f.sub(f.mul(g(v.ox), p.sw), p.pl), g(v.kx)));
                f.when(f.ltU(g(v.ix), p.w), () =>
                  multiplyAdd(
                    f,
                    acc,
                    f.add(f.add(g(v.rowX), f.mul(g(v.ix), px)), g(v.cb)),
                    f.add(f.add(g(v.rowDy), f.mul(g(v.ox), px)), g(v.cb)),
                  ),
                );
              });
              const tap = f.add(f.mul(g(v.ky), p.kw), g(v.kx));
              f.set(v.pF, f.add(f.add(p.out, f.mul(tap, px)), g(v.cb)));
              storeAll(f, acc, g(v.pF), true);
            }),
          );
        });
      }),
    ),
  );
  return f;
}

let bytes: Uint8Array<ArrayBuffer> | undefined;

/** The module's bytes (assembled once). */
export function depthwiseModuleBytes(): Uint8Array<ArrayBuffer> {
  bytes ??= assembleModule(
    UNROLLS.flatMap((u) => [gather(u, 'forward'), gather(u, 'backpropInput'), backpropFilter(u)]),
  );
  return bytes;
}

/**
 * The kernels for `unroll` running on `memory` (instantiated once per memory), or `null` where
 * this engine has no wasm SIMD.
 */
export function depthwiseKernels(
  memory: WebAssembly.Memory,
  unroll: (typeof UNROLLS)[number],
): DepthwiseKernels | null {
  const e = instantiateOn(depthwiseModuleBytes(), memory) as Record<
    string,
    DepthwiseFunction
  > | null;
  if (!e) return null;
  return {
    forward: e[`forward${unroll}`]!,
    backpropInput: e[`backpropInput${unroll}`]!,
    backpropFilter: e[`backpropFilter${unroll}`]!,
  };
}
