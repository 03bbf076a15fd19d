import * as tf from '@tensorflow/tfjs-core';
import { registersKernels } from './backend-kernels';
import { denseMixingsOnly } from './dense-mixings';

/**
 * Kernels a backend add-on may register to run a rotation mixing in Fourier form —
 * @gcnn/tfjs-wasm-training does for wasm. basis a float32 `[R, R]` matrix t (R even, J = R/2);
 * the J slabs `[M, 2·C]` are tensors of their own (the J products run on them without a slice or
 * a stack): `split`: inputs `{ x, basis }`, x `[M, R·C]` → J slabs,
 * `slab_j[m, p·C + c] = Σ_s t[2j + p, s]·x[m, s·C + c]`; `merge`: inputs
 * `{ basis, slab0, …, slab<J−1> }` → `[M, R·C]`, `out[m, s·C + c] = Σ_{j,p} t[s, 2j + p]·slab_j[m, p·C + c]`.
 * Without them the mixings stay dense matMuls.
 */
export const GROUP_AXIS_KERNELS = {
  split: 'GcnnGroupAxisSplit',
  merge: 'GcnnGroupAxisMerge',
} as const;

/**
 * Whether a mixing over R rotations runs in Fourier form ({@link circulantMatMul}): R even and at
 * least 4, `backend` (default the current one) registers both {@link GROUP_AXIS_KERNELS}, and not
 * inside `withDenseMixings` (dense-mixings.ts).
 */
export function useCirculantMixing(r: number, backend: string = tf.getBackend()): boolean {
  return (
    !denseMixingsOnly() && r >= 4 && r % 2 === 0 && registersKernels(GROUP_AXIS_KERNELS, backend)
  );
}

/**
 * Whether the Fourier form pays for a mixing of `rows` rows over R rotations, `cIn` → `cOut`
 * channels per rotation: its dense product must take at least 0.4 GFLOP. The transforms and the
 * extra kernels cost about the same per call whatever the channels, so small products stay dense.
 * Measured on wasm, whole training steps on two threads (docs/benchmarks.md, round 10, since the
 * Fourier weight gradient's transposed products run as SIMD kernels): 0.2 GFLOP (the default
 * model's 16 → 32 mixing at 16 images per thread) ran no faster in Fourier form, 0.41 GFLOP (the
 * same at 32 per thread) 1.14× faster, 0.82 GFLOP (SE(2) separable's 32 → 32 at 8 per thread)
 * 1.23× faster. The layers (not the ops) apply it.
 */
export function circulantMixingPays(rows: number, r: number, cIn: number, cOut: number): boolean {
  return 2 * rows * r * cIn * r * cOut >= 0.4e9;
}

/**
 * The real Fourier basis of R (even) points (exported for the tests) as `[R, R]` matrices, rows l = 2j + p:
 * `analysis[l, s]` = 1 and (−1)^s for j = 0 (the constant and the alternating component), cos and
 * sin of 2πjs/R for j ≥ 1; `synthesis[s, l]` its inverse (1/R, (−1)^s/R, 2cos/R, 2sin/R).
 */
export function fourierBasis(r: number): { analysis: Float32Array; synthesis: Float32Array } {
  const analysis = new Float32Array(r * r);
  const synthesis = new Float32Array(r * r);
  for (let j = 0; j < r / 2; j++)
    for (let s = 0; s < r; s++) {
      const angle = (2 * Math.PI * j * s) / r;
      const [a0, a1] = j === 0 ? [1, s % 2 === 0 ? 1 : -1] : [Math.cos(angle), Math.sin(angle)];
      const weight = j === 0 ? 1 / r : 2 / r;
      analysis[2 * j * r + s] = a0;
      analysis[(2 * j + 1) * r + s] = a1;
      synthesis[s * r + 2 * j] = weight * a0;
      synthesis[s * r + 2 * j + 1] = weight * a1;
    }
  return { analysis, synthesis };
}

const transposed = (m: Float32Array, r: number) =>
  Float32Array.from({ length: r * r }, (_, i) => m[(i % r) * r + Math.floor(i / r)]!);

/** The matrices the Fourier form uses for R points, made once per R ({@link fourierMatrices}). */
interface FourierMatrices {
  analysis: Float32Array;
  synthesis: Float32Array;
  analysisT: Float32Array;
  synthesisT: Float32Array;
  /** `[R, R·R]`: `D[l, a·R + b] = analysis[l, (a − b) mod R]/R` (circulantBlocks). */
  difference: Float32Array;
}

const matricesByR = new Map<number, FourierMatrices>();

function fourierMatrices(r: number): FourierMatrices {
  let m = matricesByR.get(r);
  if (!m) {
    const { analysis, synthesis } = fourierBasis(r);
    // the transform over the difference a − b, averaged over the R pairs with that difference
    const difference = new Float32Array(r * r * r);
    for (let l = 0; l < r; l++)
      for (let a = 0; a < r; a++)
        for (let b = 0; b < r; b++)
          difference[l * r * r + a * r + b] = analysis[l * r + ((a - b + r) % r)]! / r;
    m = {
      analysis,
      synthesis,
      analysisT: transposed(analysis, r),
      synthesisT: transposed(synthesis, r),
      difference,
    };
    matricesByR.set(r, m);
  }
  return m;
}

/**
 * The mixing `[R·Cin, R·Cout]` (index r·C + c on both sides) of a rotation mixing in Fourier form:
 * `[J, 2·Cin, 2·Cout]`, one real block per pair of Fourier components. A mixing over a uniform
 * rotation grid is block-circulant (its `[Cin, Cout]` block (r_in, r_out) depends on
 * r_in − r_out mod R only: it samples k(θ_in − θ_out)); in the real Fourier basis it is then
 * block-diagonal, with blocks `[[P, −Q], [Q, P]]` (P, Q the cosine and sine transforms of the
 * blocks over r_in − r_out) and `[[P₀, 0], [0, P_{R/2}]]` for the constant and alternating
 * components. The transforms average the blocks of each difference (the orthogonal projection
 * onto block-circulant matrices), so a mixing that is circulant up to round-off gives the dense
 * product up to round-off, and gradients flow to every block. Differentiable (tfjs ops on the
 * small mixing matrix).
 */
export function circulantBlocks(mixing: tf.Tensor2D, r: number): tf.Tensor3D {
  const [rows, cols] = mixing.shape;
  if (r < 2 || r % 2 !== 0 || rows % r !== 0 || cols % r !== 0) {
    throw new Error(
      `Error in circulantBlocks: mixing [${mixing.shape}] is not [R·Cin, R·Cout] for an even R = ${r}`,
    );
  }
  const [ci, co, j] = [rows / r, cols / r, r / 2];
  return tf.tidy(() => {
    const pairs = tf.reshape(tf.transpose(tf.reshape(mixing, [r, ci, r, co]), [0, 2, 1, 3]), [
      r * r,
      ci * co,
    ]);
    const f = tf.reshape(tf.matMul(tf.tensor2d(fourierMatrices(r).difference, [r, r * r]), pairs), [
      j,
      2,
      ci,
      co,
    ]);
    const [cosine, sine] = tf.unstack(f, 1) as [tf.Tensor3D, tf.Tensor3D]; // [J, Ci, Co] each
    const rotation = tf.concat(
      [tf.concat([cosine, tf.neg(sine)], 2), tf.concat([sine, cosine], 2)],
      1,
    ) as tf.Tensor3D; // [[P, −Q], [Q, P]]
    // j = 0: the constant (P₀ = cosine[0]) and alternating (P_{R/2} = sine[0]) components are real
    const zero = tf.zeros([1, ci, co]);
    const first = tf.concat(
      [
        tf.concat([tf.slice(cosine, [0, 0, 0], [1, ci, co]), zero], 2),
        tf.concat([zero, tf.slice(sine, [0, 0, 0], [1, ci, co])], 2),
      ],
      1,
    );
    return tf.concat(
      [first, tf.slice(rotation, [1, 0, 0], [j - 1, 2 * ci, 2 * co])],
      0,
    ) as tf.Tensor3D;
  });
}

/** The J slabs `[M, 2·C]` of the rows of x `[M, R·C]` (GROUP_AXIS_KERNELS.split). */
function split(x: tf.Tensor2D, basis: Float32Array, r: number): tf.Tensor2D[] {
  return tf.tidy(
    () =>
      tf.engine().runKernel(GROUP_AXIS_KERNELS.split, {
        x,
        basis: tf.tensor2d(basis, [r, r]),
      }) as tf.Tensor2D[],
  );
}

/** The rows `[M, R·C]` of J slabs `[M, 2·C]` (GROUP_AXIS_KERNELS.merge). */
function merge(slabs: tf.Tensor2D[], basis: Float32Array, r: number): tf.Tensor2D {
  return tf.tidy(() => {
    const inputs = Object.fromEntries(slabs.map((slab, j) => [`slab${j}`, slab]));
    return tf.engine().runKernel(GROUP_AXIS_KERNELS.merge, {
      basis: tf.tensor2d(basis, [r, r]),
      ...inputs,
    }) as tf.Tensor2D;
  });
}

/** `a[j]·b[j]` for each slab j; `transposeA` takes `a[j]ᵀ`, `transposeB` takes `b[j]ᵀ`. */
function slabProducts(
  a: tf.Tensor2D[],
  b: tf.Tensor[],
  { transposeA = false, transposeB = false } = {},
): tf.Tensor2D[] {
  return a.map((slab, j) => tf.matMul(slab, b[j] as tf.Tensor2D, transposeA, transposeB));
}

/**
 * `x · mixing` for a block-circulant mixing over R rotations, given as its {@link circulantBlocks}:
 * the Fourier components of every row (`GcnnGroupAxisSplit`), one `[M, 2·Cin]·[2·Cin, 2·Cout]`
 * product per pair of components, back to rotations (`GcnnGroupAxisMerge`): 4R·Cin·Cout FLOPs per
 * row in the products instead of the dense product's 2R²·Cin·Cout, R/2 times fewer (4× for R = 8,
 * 8× for R = 16), plus the two transforms (2R² FLOPs per input and output element). Needs
 * {@link useCirculantMixing}.
 *
 * One custom-gradient op keeping `x` and `blocks`; its backward recomputes the components of x.
 *
 * @param x `[M, R·Cin]` (index r·Cin + c)
 * @param blocks `[R/2, 2·Cin, 2·Cout]`
 * @returns `[M, R·Cout]`
 */
export function circulantMatMul(x: tf.Tensor2D, blocks: tf.Tensor3D, r: number): tf.Tensor2D {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xt, bt, save] = args as [tf.Tensor2D, tf.Tensor3D, tf.GradSaveFunc];
    save([xt, bt]);
    return {
      value: circulantProduct(xt, bt, r),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        circulantProductGradients(
          dy as tf.Tensor2D,
          saved[0] as tf.Tensor2D,
          saved[1] as tf.Tensor3D,
          r,
        ),
    };
  });
  return f(x, blocks) as tf.Tensor2D;
}

/** The value of {@link circulantMatMul}, `[M, R·Cout]`. */
export function circulantProduct(x: tf.Tensor2D, blocks: tf.Tensor3D, r: number): tf.Tensor2D {
  return tf.tidy(() => {
    const { analysis, synthesis } = fourierMatrices(r);
    const xHat = split(x, analysis, r);
    const yHat = slabProducts(xHat, tf.unstack(blocks));
    tf.dispose(xHat);
    return merge(yHat, synthesis, r);
  });
}

/**
 * The gradients of {@link circulantMatMul} for `dy` `[M, R·Cout]`: `[dx, dBlocks]`. The split of
 * dy and the merge back are the forward's merge and split with their matrices transposed.
 */
export function circulantProductGradients(
  dy: tf.Tensor2D,
  x: tf.Tensor2D,
  blocks: tf.Tensor3D,
  r: number,
): [tf.Tensor2D, tf.Tensor3D] {
  return tf.tidy(() => {
    const { analysis, analysisT, synthesisT } = fourierMatrices(r);
    const dyHat = split(dy, synthesisT, r);
    const xHat = split(x, analysis, r);
    const dBlocks = tf.stack(slabProducts(xHat, dyHat, { transposeA: true })) as tf.Tensor3D;
    tf.dispose(xHat);
    const dxHat = slabProducts(dyHat, tf.unstack(blocks), { transposeB: true });
    tf.dispose(dyHat);
    return [merge(dxHat, analysisT, r), dBlocks];
  });
}
