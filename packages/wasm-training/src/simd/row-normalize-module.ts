import { emitRowSums } from './row-sum-module';
import { type Expr, F32, FunctionBuilder, simdModule, V128 } from './wasm-assembler';

/**
 * Normalisation of the rows of a row-major float32 matrix `[rows, n]` (a layer norm over the
 * innermost axes) and its gradient, in 128-bit wasm SIMD, pointers in bytes:
 *
 * - `forward(x, y, std, rows, n, epsBits)`: `μ = mean(x)`, `σ² = mean((x − μ)²)`,
 *   `std = √(σ² + ε)`, `y = (x − μ)/std` (ε as the bits of an f32); three passes over x;
 * - `backward(dy, y, std, dx, rows, n)`: `dx = ((dy − mean(dy)) − y·mean(dy·y))/std`; two passes.
 *
 * The same float32 operations in the same order as the composite (`tf.mean`, `sub`, `square`,
 * `add`, `sqrt`, `div`, … with this package's SIMD `Mean`, whose summation order
 * {@link emitRowSums} is), so the same values bit for bit on wasm — in 5 passes over the map
 * instead of 12 and 2 kernels instead of 13.
 */
export type NormalizeForwardFunction = (
  x: number,
  y: number,
  std: number,
  rows: number,
  n: number,
  epsBits: number,
) => void;
export type NormalizeBackwardFunction = (
  dy: number,
  y: number,
  std: number,
  dx: number,
  rows: number,
  n: number,
) => void;

/** `for (i = 0; i < n; i += 4)` over a row, with the last `n mod 4` elements one at a time. */
function emitRowMap(
  f: FunctionBuilder,
  n: Expr,
  pointers: readonly number[],
  vector: () => void,
  scalar: () => void,
): void {
  const i = f.local();
  const advance = (bytes: number) => {
    for (const p of pointers) f.set(p, f.add(f.get(p), f.i32(bytes)));
  };
  f.forRange(i, f.i32(0), f.sub(n, f.i32(3)), 4, () => {
    vector();
    advance(16);
  });
  f.forRange(i, f.get(i), n, 1, () => {
    scalar();
    advance(4);
  });
}

function forward(): FunctionBuilder {
  const f = new FunctionBuilder('normalizeForward', 6);
  const [x, y, std, rows, n, epsBits] = f.args(6);
  const [r, px, py] = [f.local(), f.local(), f.local()];
  const [mean, variance, s] = [f.local(F32), f.local(F32), f.local(F32)];
  const [meanV, sV] = [f.local(V128), f.local(V128)];
  const rowStart = (base: Expr) => f.add(base, f.mul(f.mul(f.get(r), n), f.i32(4)));
  const g = (i: number) => f.get(i);
  f.forRange(r, f.i32(0), rows, 1, () => {
    f.set(px, rowStart(x));
    const load = { vector: (o: number) => f.load(g(px), o), scalar: () => f.f32Load(g(px)) };
    emitRowSums(f, n, [px], [load], [mean]);
    f.set(mean, f.f32Div(g(mean), f.f32FromI32(n)));
    f.set(meanV, f.f32x4Splat(g(mean)));
    f.set(px, rowStart(x));
    const dv = (o: number) => f.f32x4Sub(f.load(g(px), o), g(meanV));
    const ds = () => f.f32Sub(f.f32Load(g(px)), g(mean));
    emitRowSums(
      f,
      n,
      [px],
      [{ vector: (o) => f.f32x4Mul(dv(o), dv(o)), scalar: () => f.f32Mul(ds(), ds()) }],
      [variance],
    );
    f.set(variance, f.f32Div(g(variance), f.f32FromI32(n)));
    f.set(s, f.f32Sqrt(f.f32Add(g(variance), f.f32FromBits(epsBits))));
    f.f32Store(f.add(std, f.mul(g(r), f.i32(4))), g(s));
    f.set(sV, f.f32x4Splat(g(s)));
    f.set(px, rowStart(x));
    f.set(py, rowStart(y));
    emitRowMap(
      f,
      n,
      [px, py],
      () => f.store(g(py), f.f32x4Div(dv(0), g(sV))),
      () => f.f32Store(g(py), f.f32Div(ds(), g(s))),
    );
  });
  return f;
}

function backward(): FunctionBuilder {
  const f = new FunctionBuilder('normalizeBackward', 6);
  const [dy, y, std, dx, rows, n] = f.args(6);
  const [r, pdy, py, pdx] = [f.local(), f.local(), f.local(), f.local()];
  const [m1, m2, s] = [f.local(F32), f.local(F32), f.local(F32)];
  const [m1V, m2V, sV] = [f.local(V128), f.local(V128), f.local(V128)];
  const rowStart = (base: Expr) => f.add(base, f.mul(f.mul(f.get(r), n), f.i32(4)));
  const g = (i: number) => f.get(i);
  f.forRange(r, f.i32(0), rows, 1, () => {
    f.set(pdy, rowStart(dy));
    f.set(py, rowStart(y));
    emitRowSums(
      f,
      n,
      [pdy, py],
      [
        { vector: (o) => f.load(g(pdy), o), scalar: () => f.f32Load(g(pdy)) },
        {
          vector: (o) => f.f32x4Mul(f.load(g(pdy), o), f.load(g(py), o)),
          scalar: () => f.f32Mul(f.f32Load(g(pdy)), f.f32Load(g(py))),
        },
      ],
      [m1, m2],
    );
    f.set(m1, f.f32Div(g(m1), f.f32FromI32(n)));
    f.set(m2, f.f32Div(g(m2), f.f32FromI32(n)));
    f.set(s, f.f32Load(f.add(std, f.mul(g(r), f.i32(4)))));
    f.set(m1V, f.f32x4Splat(g(m1)));
    f.set(m2V, f.f32x4Splat(g(m2)));
    f.set(sV, f.f32x4Splat(g(s)));
    f.set(pdy, rowStart(dy));
    f.set(py, rowStart(y));
    f.set(pdx, rowStart(dx));
    emitRowMap(
      f,
      n,
      [pdy, py, pdx],
      () =>
        f.store(
          g(pdx),
          f.f32x4Div(
            f.f32x4Sub(f.f32x4Sub(f.load(g(pdy)), g(m1V)), f.f32x4Mul(f.load(g(py)), g(m2V))),
            g(sV),
          ),
        ),
      () =>
        f.f32Store(
          g(pdx),
          f.f32Div(
            f.f32Sub(f.f32Sub(f.f32Load(g(pdy)), g(m1)), f.f32Mul(f.f32Load(g(py)), g(m2))),
            g(s),
          ),
        ),
    );
  });
  return f;
}

const rowNormalizeModule = simdModule<NormalizeForwardFunction | NormalizeBackwardFunction>(() => [
  forward(),
  backward(),
]);

/** The module's bytes (assembled once). */
export const rowNormalizeModuleBytes = rowNormalizeModule.bytes;

export interface RowNormalizeKernels {
  forward: NormalizeForwardFunction;
  backward: NormalizeBackwardFunction;
}

/** The kernels on `memory`, or `null` where this engine has no wasm SIMD. */
export function rowNormalizeKernels(memory: WebAssembly.Memory): RowNormalizeKernels | null {
  const e = rowNormalizeModule.on(memory);
  if (!e) return null;
  return {
    forward: e.normalizeForward as NormalizeForwardFunction,
    backward: e.normalizeBackward as NormalizeBackwardFunction,
  };
}
