import * as tf from '@tensorflow/tfjs-core';
import { assertGroupFeatures } from '../layout';
import { registersKernels } from './backend-kernels';

/**
 * Instance normalisation as the reference defines it: per (sample, channel) over (h, w, G), no
 * affine parameters. `[batch, h, w, G, C]` → same shape.
 */
export function groupInstanceNorm(x: tf.Tensor5D, epsilon = 1e-5): tf.Tensor5D {
  assertGroupFeatures('groupInstanceNorm', x);
  return normalize(x, [1, 2, 3], epsilon);
}

/** Layer normalisation as the reference defines it: per sample over (h, w, G, C), no affine parameters. */
export function groupLayerNorm(x: tf.Tensor5D, epsilon = 1e-5): tf.Tensor5D {
  assertGroupFeatures('groupLayerNorm', x);
  return normalize(x, [1, 2, 3, 4], epsilon);
}

/**
 * Kernels a backend add-on may register to run {@link groupLayerNorm} (a normalisation over the
 * innermost axes) as one kernel each way — @gcnn/tfjs-wasm-training does for wasm. They run in
 * passes that record gradients (training); inference keeps tfjs's own kernels, which tools that
 * trace an inference pass into a graph (`freezeModel` of @gcnn/models) map to graph ops. Contract:
 * `forward`: inputs `{ x }` (float32), attrs `{ axes, epsilon }` → `[y, std]` with
 * `std = √(σ² + ε)` shaped as `x` with `axes` of size 1 and `y = (x − μ)/std`; `backward`: inputs
 * `{ dy, y, std }`, attrs `{ axes }` → `dx = ((dy − mean(dy)) − y·mean(dy·y))/std`; the same
 * values as the composite below up to float32 round-off. Without them the composite runs.
 */
export const ROW_NORMALIZE_KERNELS = {
  forward: 'GcnnRowNormalize',
  backward: 'GcnnRowNormalizeGrad',
} as const;

/** Whether this pass records gradients and the active backend has both {@link ROW_NORMALIZE_KERNELS}. */
function fusedNormalize(axes: number[], rank: number): boolean {
  return (
    tf.engine().state.gradientDepth > 0 &&
    axes.every((a, i) => a === rank - axes.length + i) &&
    hasRowNormalizeKernels()
  );
}

/**
 * Whether `backend` (default the current one) registers {@link ROW_NORMALIZE_KERNELS}, which the
 * layer norm then runs in training (memory estimates count it: no composite temporaries).
 */
export function hasRowNormalizeKernels(backend: string = tf.getBackend()): boolean {
  return registersKernels(ROW_NORMALIZE_KERNELS, backend);
}

/**
 * `y = (x − μ)/√(σ² + ε)` with the mean μ and biased variance σ² over `axes` (kept as size-1
 * axes): the values of `tf.moments` → sub → div (same ops, so the same numbers up to the
 * reductions' summation order). The layer norm's axes are the innermost ones, which the
 * backends reduce without a transpose.
 *
 * One custom-gradient node with the analytic gradient
 * `dx = (dy − mean(dy) − y·mean(dy·y))/√(σ² + ε)` (means over `axes`): seven ops, where autodiff
 * of the moments records ~20 ops with their saved inputs and runs ~30 in the backward pass,
 * several of them full-size broadcasts; one kernel each way in training where the backend
 * registers {@link ROW_NORMALIZE_KERNELS}.
 */
function normalize<T extends tf.Tensor>(x: T, axes: number[], epsilon: number): T {
  const fused = fusedNormalize(axes, x.rank);
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const [y, std] = fused
      ? (tf.engine().runKernel(
          ROW_NORMALIZE_KERNELS.forward,
          { x: input },
          {
            axes,
            epsilon,
          },
        ) as tf.Tensor[])
      : normalizeComposite(input, axes, epsilon);
    save([y!, std!]);
    return {
      value: y!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [ys, s] = saved as [tf.Tensor, tf.Tensor];
          if (fused) {
            return tf
              .engine()
              .runKernel(
                ROW_NORMALIZE_KERNELS.backward,
                { dy, y: ys, std: s },
                { axes },
              ) as tf.Tensor;
          }
          const meanDy = tf.mean(dy, axes, true);
          const meanDyY = tf.mean(tf.mul(dy, ys), axes, true);
          return tf.div(tf.sub(tf.sub(dy, meanDy), tf.mul(ys, meanDyY)), s);
        }),
    };
  });
  return f(x) as T;
}

/** `[y, std]` of {@link normalize} from tfjs ops. */
function normalizeComposite(x: tf.Tensor, axes: number[], epsilon: number): tf.Tensor[] {
  const mean = tf.mean(x, axes, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), axes, true);
  const std = tf.sqrt(tf.add(variance, epsilon));
  return [tf.div(centered, std), std];
}
