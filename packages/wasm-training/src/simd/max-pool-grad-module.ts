import { FunctionBuilder, simdModule, V128 } from './wasm-assembler';

/**
 * The max-pool gradient for windows that tile the input (stride = window, no padding, dilation
 * 1), NHWC float32, `C % 4 = 0`, in 128-bit wasm SIMD; arguments (pointers in bytes)
 * `(x, dy, dx, n, h, w, c, oh, ow, kh, kw)`.
 *
 * Per window and 4 channels: the maximum over the taps (NaN never wins), then, in row-major
 * order, `dx = dy` at the first tap that holds it and 0 at every other tap — tfjs-backend-cpu's
 * rule (the first strict maximum from −∞; a window whose maximum is −∞ routes nothing). Each
 * window-covered `dx` element is written exactly once (no zeroing pass, no scatter); the rows
 * and columns no window covers (`h % kh`, `w % kw`) are the caller's to zero.
 */
export type MaxPoolGradFunction = (
  x: number,
  dy: number,
  dx: number,
  n: number,
  h: number,
  w: number,
  c: number,
  oh: number,
  ow: number,
  kh: number,
  kw: number,
) => void;

function maxPoolGrad(): FunctionBuilder {
  const f = new FunctionBuilder('maxPoolGrad', 11);
  const [x, dy, dx, n, h, w, c, oh, ow, kh, kw] = f.args(11);
  const v = f.locals(['px', 'b', 'oy', 'ox', 'cb', 'ky', 'kx', 'pDy', 'base', 'off']);
  const [best, open, d, val, hit] = [0, 0, 0, 0, 0].map(() => f.local(V128)) as number[] as [
    number,
    number,
    number,
    number,
    number,
  ];
  const g = (i: number) => f.get(i);
  /** For every tap of the window at `base`: `off` = its byte offset, then `body()`. */
  const taps = (body: () => void) =>
    f.forRange(v.ky, f.i32(0), kh, 1, () =>
      f.forRange(v.kx, f.i32(0), kw, 1, () => {
        f.set(v.off, f.add(g(v.base), f.mul(f.add(f.mul(g(v.ky), w), g(v.kx)), g(v.px))));
        body();
      }),
    );
  f.set(v.px, f.mul(c, f.i32(4)));
  f.forRange(v.b, f.i32(0), n, 1, () =>
    f.forRange(v.oy, f.i32(0), oh, 1, () =>
      f.forRange(v.ox, f.i32(0), ow, 1, () => {
        const pixel = f.add(f.mul(f.add(f.mul(g(v.b), oh), g(v.oy)), ow), g(v.ox));
        f.set(v.pDy, f.add(dy, f.mul(pixel, g(v.px))));
        const origin = f.add(
          f.mul(f.add(f.mul(g(v.b), h), f.mul(g(v.oy), kh)), w),
          f.mul(g(v.ox), kw),
        );
        f.forRange(v.cb, f.i32(0), g(v.px), 16, () => {
          f.set(v.base, f.add(f.mul(origin, g(v.px)), g(v.cb)));
          f.set(best, f.f32x4Const(Number.NEGATIVE_INFINITY));
          taps(() => {
            f.set(val, f.load(f.add(x, g(v.off))));
            f.set(
              best,
              f.v128Bitselect(f.get(val), f.get(best), f.f32x4Gt(f.get(val), f.get(best))),
            );
          });
          // lanes still to route: those whose maximum is above −∞
          f.set(open, f.f32x4Gt(f.get(best), f.f32x4Const(Number.NEGATIVE_INFINITY)));
          f.set(d, f.load(f.add(g(v.pDy), g(v.cb))));
          taps(() => {
            f.set(hit, f.v128And(f.f32x4Eq(f.load(f.add(x, g(v.off))), f.get(best)), f.get(open)));
            f.store(f.add(dx, g(v.off)), f.v128And(f.get(d), f.get(hit)));
            f.set(open, f.v128AndNot(f.get(open), f.get(hit)));
          });
        });
      }),
    ),
  );
  return f;
}

const maxPoolGradModule = simdModule<MaxPoolGradFunction>(() => [maxPoolGrad()]);

/** The module's bytes (assembled once). */
export const maxPoolGradModuleBytes = maxPoolGradModule.bytes;

/** The kernel on `memory`, or `null` where this engine has no wasm SIMD. */
export function maxPoolGradKernel(memory: WebAssembly.Memory): MaxPoolGradFunction | null {
  return maxPoolGradModule.on(memory)?.maxPoolGrad ?? null;
}
