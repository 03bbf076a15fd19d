import { type Expr, FunctionBuilder, simdModule, V128 } from './wasm-assembler';

/**
 * Training-mode batch norm of a row-major float32 matrix `[rows, c]` (statistics per channel, i.e.
 * per column) and its gradient, in 128-bit wasm SIMD; pointers in bytes, `c % 4 = 0`:
 *
 * - `columnSums(x, out, rows, c)`: `out[j] = Σ_r x[r, j]`;
 * - `centeredSquareSums(x, mean, out, rows, c)`: `out[j] = Σ_r (x[r, j] − mean[j])²`;
 * - `normalize(x, mean, rstd, gamma, beta, xhat, y, rows, c)`: `x̂ = (x − μ)·rstd`,
 *   `y = x̂·γ + β`, both written;
 * - `gradientSums(dy, xhat, dBeta, dGamma, rows, c)`: `dβ = Σ_r dy`, `dγ = Σ_r dy·x̂`;
 * - `inputGradient(dy, xhat, a, b, shift, dx, rows, c)`: `dx = dy·a + (x̂·b + shift)`.
 *
 * Why: the composite of tfjs ops (sums as `1ᵀ·x` matMuls, then `sub`, `square`, `mul`, `mul`,
 * `add`; the gradient's `mul`, `mul`, `add`, `mul`, `add`) reads or writes the whole map 26 times
 * in 14 kernels; here 5 passes in 2 kernels, with the same float32 operations per element in the
 * same order. Only the sums' order differs: each column is summed in blocks of
 * {@link SUM_BLOCK_ROWS} rows, whose partial sums are added up, so the round-off grows with
 * `block + rows/block` rather than `rows`.
 */
export interface BatchNormKernels {
  columnSums(x: number, out: number, rows: number, c: number): void;
  centeredSquareSums(x: number, mean: number, out: number, rows: number, c: number): void;
  normalize(
    x: number,
    mean: number,
    rstd: number,
    gamma: number,
    beta: number,
    xhat: number,
    y: number,
    rows: number,
    c: number,
  ): void;
  gradientSums(
    dy: number,
    xhat: number,
    dBeta: number,
    dGamma: number,
    rows: number,
    c: number,
  ): void;
  inputGradient(
    dy: number,
    xhat: number,
    a: number,
    b: number,
    shift: number,
    dx: number,
    rows: number,
    c: number,
  ): void;
}

/** Rows summed into one partial sum before it is added to the column's total. */
export const SUM_BLOCK_ROWS = 256;

/** One summand of a column sum: 4 lanes at byte offset `o` of the current row's channel group. */
type ColumnSummand = (o: number) => Expr;

interface ColumnSumsSpec {
  rows: Expr;
  /** Bytes per row (`4·c`). */
  rowBytes: Expr;
  /** Input base pointers, each walked by one pointer local. */
  inputs: readonly Expr[];
  /** Builds the summands from the pointer locals (one per input) and the group's byte offset. */
  summands: (pointers: readonly number[], group: number) => readonly ColumnSummand[];
  /** Output pointers, one per summand (`[c]` floats each). */
  outs: readonly Expr[];
}

/**
 * Emits column sums over every channel group: groups of 4 vectors (16 channels, one 64-byte cache
 * line of a row) while they fit, then groups of one vector. A group's columns are summed down the
 * rows in registers, in blocks of {@link SUM_BLOCK_ROWS} rows, each block's sums added to the
 * outputs in memory (so only the block's accumulators take registers). Each group reads its own
 * bytes of every row: whole cache lines where C is a multiple of 16, so the map is read once.
 */
function emitColumnSums(f: FunctionBuilder, spec: ColumnSumsSpec): void {
  const group = f.local();
  const pointers = spec.inputs.map(() => f.local());
  const [r, blockEnd, row] = [f.local(), f.local(), f.local()];
  const groups = (w: number, from: Expr) => {
    const summands = spec.summands(pointers, group);
    const acc = summands.map(() => Array.from({ length: w }, () => f.local(V128)));
    const outAt = (k: number) => f.add(spec.outs[k]!, f.get(group));
    f.forRange(group, from, f.sub(spec.rowBytes, f.i32(16 * w - 1)), 16 * w, () => {
      summands.forEach((_, k) => {
        for (let j = 0; j < w; j++) f.store(outAt(k), f.v128Zero(), 16 * j);
      });
      spec.inputs.forEach((base, k) => {
        f.set(pointers[k]!, f.add(base, f.get(group)));
      });
      f.forRange(r, f.i32(0), spec.rows, SUM_BLOCK_ROWS, () => {
        for (const a of acc.flat()) f.set(a, f.v128Zero());
        f.set(blockEnd, f.add(f.get(r), f.i32(SUM_BLOCK_ROWS)));
        f.when(f.geS(f.get(blockEnd), spec.rows), () => f.set(blockEnd, spec.rows));
        f.forRange(row, f.get(r), f.get(blockEnd), 1, () => {
          summands.forEach((s, k) => {
            acc[k]!.forEach((a, j) => {
              f.set(a, f.f32x4Add(f.get(a), s(16 * j)));
            });
          });
          for (const p of pointers) f.set(p, f.add(f.get(p), spec.rowBytes));
        });
        acc.forEach((a, k) => {
          a.forEach((aj, j) => {
            f.store(outAt(k), f.f32x4Add(f.load(outAt(k), 16 * j), f.get(aj)), 16 * j);
          });
        });
      });
    });
  };
  groups(4, f.i32(0));
  groups(1, f.get(group));
}

function columnSums(): FunctionBuilder {
  const f = new FunctionBuilder('columnSums', 4);
  const [x, out, rows, c] = f.args(4);
  const rowBytes = f.mul(c, f.i32(4));
  const summands = ([p]: readonly number[]) => [(o: number) => f.load(f.get(p!), o)];
  emitColumnSums(f, { rows, rowBytes, inputs: [x], summands, outs: [out] });
  return f;
}

function centeredSquareSums(): FunctionBuilder {
  const f = new FunctionBuilder('centeredSquareSums', 5);
  const [x, mean, out, rows, c] = f.args(5);
  const rowBytes = f.mul(c, f.i32(4));
  const summands = ([p]: readonly number[], group: number) => [
    (o: number) => {
      const d = f.f32x4Sub(f.load(f.get(p!), o), f.load(f.add(mean, f.get(group)), o));
      return f.f32x4Mul(d, d);
    },
  ];
  emitColumnSums(f, { rows, rowBytes, inputs: [x], summands, outs: [out] });
  return f;
}

function gradientSums(): FunctionBuilder {
  const f = new FunctionBuilder('gradientSums', 6);
  const [dy, xhat, dBeta, dGamma, rows, c] = f.args(6);
  const rowBytes = f.mul(c, f.i32(4));
  const summands = ([pdy, px]: readonly number[]) => [
    (o: number) => f.load(f.get(pdy!), o),
    (o: number) => f.f32x4Mul(f.load(f.get(pdy!), o), f.load(f.get(px!), o)),
  ];
  emitColumnSums(f, { rows, rowBytes, inputs: [dy, xhat], summands, outs: [dBeta, dGamma] });
  return f;
}

/**
 * Emits `for each row, for each vector i of the row: body(i)` with `i` the byte offset in the row
 * (the per-channel vectors are read at `i` from their `[c]` arrays, which stay in L1).
 */
function emitRowMajor(
  f: FunctionBuilder,
  rows: Expr,
  rowBytes: Expr,
  pointers: readonly number[],
  body: (i: number) => void,
): void {
  const [r, i] = [f.local(), f.local()];
  f.forRange(r, f.i32(0), rows, 1, () => {
    f.forRange(i, f.i32(0), rowBytes, 16, () => body(i));
    for (const p of pointers) f.set(p, f.add(f.get(p), rowBytes));
  });
}

function normalize(): FunctionBuilder {
  const f = new FunctionBuilder('normalize', 9);
  const [x, mean, rstd, gamma, beta, xhat, y, rows, c] = f.args(9);
  const [px, pxh, py] = [f.local(), f.local(), f.local()];
  const xh = f.local(V128);
  f.set(px, x);
  f.set(pxh, xhat);
  f.set(py, y);
  emitRowMajor(f, rows, f.mul(c, f.i32(4)), [px, pxh, py], (i) => {
    const at = (base: Expr) => f.add(base, f.get(i));
    f.set(xh, f.f32x4Mul(f.f32x4Sub(f.load(at(f.get(px))), f.load(at(mean))), f.load(at(rstd))));
    f.store(at(f.get(pxh)), f.get(xh));
    f.store(at(f.get(py)), f.f32x4Add(f.f32x4Mul(f.get(xh), f.load(at(gamma))), f.load(at(beta))));
  });
  return f;
}

function inputGradient(): FunctionBuilder {
  const f = new FunctionBuilder('inputGradient', 8);
  const [dy, xhat, a, b, shift, dx, rows, c] = f.args(8);
  const [pdy, pxh, pdx] = [f.local(), f.local(), f.local()];
  f.set(pdy, dy);
  f.set(pxh, xhat);
  f.set(pdx, dx);
  emitRowMajor(f, rows, f.mul(c, f.i32(4)), [pdy, pxh, pdx], (i) => {
    const at = (base: Expr) => f.add(base, f.get(i));
    const shifted = f.f32x4Add(
      f.f32x4Mul(f.load(at(f.get(pxh))), f.load(at(b))),
      f.load(at(shift)),
    );
    f.store(at(f.get(pdx)), f.f32x4Add(f.f32x4Mul(f.load(at(f.get(pdy))), f.load(at(a))), shifted));
  });
  return f;
}

const batchNormModule = simdModule<BatchNormKernels[keyof BatchNormKernels]>(() => [
  columnSums(),
  centeredSquareSums(),
  normalize(),
  gradientSums(),
  inputGradient(),
]);

/** The module's bytes (assembled once). */
export const batchNormModuleBytes = batchNormModule.bytes;

/** The kernels on `memory`, or `null` where this engine has no wasm SIMD. */
export function batchNormKernels(memory: WebAssembly.Memory): BatchNormKernels | null {
  return batchNormModule.on(memory) as BatchNormKernels | null;
}
