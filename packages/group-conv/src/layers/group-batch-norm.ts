import * as tf from '@tensorflow/tfjs-core';
import { assertGroupFeatures } from '../layout';
import { registersKernels } from '../ops/backend-kernels';
import type { ChannelEpilogue } from '../ops/channel-epilogue';
import { Module } from './module';

export interface BatchNormOptions {
  channels: number;
  /** Default 1e-5. */
  epsilon?: number;
  /** Running-statistics update rate (PyTorch convention, default 0.1). */
  momentum?: number;
}

/** Options of a batch norm's forward call. */
export interface BatchNormApplyOptions {
  /** Batch statistics (and their running averages) instead of the running statistics. */
  training?: boolean;
  /**
   * In training, update the running statistics (default true). False when the same batch is
   * normalised a second time, e.g. a checkpointed segment's replay: the batch statistics are used,
   * the running averages move once per step.
   */
  updateStatistics?: boolean;
}

/**
 * Batch normalisation over every axis but the last (channels), PyTorch conventions: training
 * normalises with batch statistics and updates the running ones (unbiased variance), inference
 * uses the running statistics. Weights: `weight`, `bias` (trainable), `runningMean`, `runningVar`.
 */
abstract class BatchNormBase extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  readonly epsilon: number;
  readonly momentum: number;

  constructor(readonly options: BatchNormOptions) {
    super();
    const c = options.channels;
    if (!Number.isInteger(c) || c < 1)
      throw new Error(`Error in BatchNorm: channels must be a positive integer, got ${c}`);
    this.epsilon = options.epsilon ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    this.weight = this.addWeight('weight', tf.ones([c]));
    this.bias = this.addWeight('bias', tf.zeros([c]));
    this.runningMean = this.addWeight('runningMean', tf.zeros([c]), false);
    this.runningVar = this.addWeight('runningVar', tf.ones([c]), false);
  }

  /**
   * Inference with the running statistics: `tf.batchNorm`, one `FusedBatchNorm` kernel
   * (@gcnn/tfjs-wasm-training runs it on wasm as one SIMD pass `x·s + t`, `s = γ/√(σ² + ε)`,
   * `t = β − μ·s`; the stock wasm kernel took 73 ms for a `[401408, 32]` map). On the `[n, C]`
   * view of x: tfjs's batchNorm gradient (a frozen norm in fine-tuning) fails beyond rank 4.
   */
  private batchNorm(x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor): tf.Tensor {
    const flat = tf.reshape(x, [-1, this.options.channels]) as tf.Tensor2D;
    const y = tf.batchNorm(
      flat,
      mean as tf.Tensor1D,
      variance as tf.Tensor1D,
      this.bias as tf.Tensor1D,
      this.weight as tf.Tensor1D,
      this.epsilon,
    );
    return tf.reshape(y, x.shape);
  }

  /**
   * The inference norm (running statistics) as a per-channel affine map for a conv to apply,
   * `y·scale + shift` with `scale = γ/√(σ² + ε)`, `shift = β − μ·scale`, then a ReLU where
   * `relu` (GroupConv2D's `epilogue`). The caller disposes `scale` and `shift`.
   */
  inferenceEpilogue(relu: boolean): ChannelEpilogue {
    const [scale, shift] = tf.tidy(() => {
      const s = tf.mul(this.weight, tf.rsqrt(tf.add(this.runningVar, this.epsilon)));
      return [s, tf.sub(this.bias, tf.mul(this.runningMean, s))] as tf.Tensor1D[];
    }) as [tf.Tensor1D, tf.Tensor1D];
    return { scale, shift, relu };
  }

  /** Running averages ← (1 − m)·running + m·batch, with the unbiased variance of `n` rows. */
  private updateRunningStatistics(mean: tf.Tensor1D, variance: tf.Tensor1D, n: number): void {
    const m = this.momentum;
    tf.tidy(() => {
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
      this.runningVar.assign(
        tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(variance, (m * n) / Math.max(n - 1, 1))),
      );
    });
  }

  /**
   * Normalises over every axis but the last (channels; the subclasses' `axes` are always those),
   * shared with the 2-D head norm.
   */
  protected normalize(
    x: tf.Tensor,
    _axes: number[],
    training: boolean,
    updateStatistics = true,
  ): tf.Tensor {
    if (!training) {
      return tf.tidy(() => this.batchNorm(x, this.runningMean, this.runningVar));
    }
    return tf.tidy(() => {
      const c = this.options.channels;
      const flat = tf.reshape(x, [-1, c]) as tf.Tensor2D;
      const y = batchNormTraining(
        flat,
        this.weight as tf.Tensor1D,
        this.bias as tf.Tensor1D,
        this.epsilon,
        (mean, variance) => {
          if (updateStatistics) this.updateRunningStatistics(mean, variance, flat.shape[0]);
        },
      );
      return tf.reshape(y, x.shape);
    });
  }
}

/**
 * Σ over rows of `[n, C]` → `[C]`, as the matMul `1ᵀ·x`: tfjs reduces a non-innermost axis by
 * transposing first (wasm: 20 ms for 100352×32, cpu 89 ms), the matMul takes 0.8 ms (cpu 17 ms).
 */
function channelSum(x: tf.Tensor2D): tf.Tensor1D {
  const [n, c] = x.shape;
  return tf.reshape(tf.matMul(tf.ones([1, n]), x), [c]);
}

/**
 * Kernels a backend add-on may register to run the training-mode batch norm as one kernel each
 * way — @gcnn/tfjs-wasm-training does for wasm (5 passes over the map instead of 26 reads and
 * writes in 14 kernels). Contract, for x `[n, C]` float32 and γ, β `[C]`: `forward`: inputs
 * `{ x, gamma, beta }`, attrs `{ epsilon }` → `[y, xhat, mean, variance, rstd]` (batch mean,
 * biased variance, `rstd = 1/√(σ² + ε)`, `x̂ = (x − μ)·rstd`, `y = x̂·γ + β`); `backward`: inputs
 * `{ dy, xhat, gamma, rstd }` → `[dx, dGamma, dBeta]`: `dβ = Σ dy`, `dγ = Σ dy·x̂` (over rows),
 * `dx = dy·a + (x̂·b + c)` with `a = γ·rstd`, `b = −a·dγ/n`, `c = −a·dβ/n`. The same values as the
 * composite up to float32 round-off of the sums. Without them the composite runs.
 */
export const BATCH_NORM_KERNELS = {
  forward: 'GcnnBatchNormTrain',
  backward: 'GcnnBatchNormTrainGrad',
} as const;

/** Whether `backend` (default the current one) registers both {@link BATCH_NORM_KERNELS}. */
export function hasBatchNormKernels(backend: string = tf.getBackend()): boolean {
  return registersKernels(BATCH_NORM_KERNELS, backend);
}

/**
 * Training-mode batch norm of `[n, C]` with its batch statistics (μ, biased σ², handed to
 * `onStats` for the running averages): `γ·(x − μ)/√(σ² + ε) + β`, with the analytic gradient
 * `dx = γ/(n·√(σ² + ε))·(n·dy − Σdy − x̂·Σ(dy·x̂))`, `dγ = Σ(dy·x̂)`, `dβ = Σdy`. One kernel each
 * way where the backend registers {@link BATCH_NORM_KERNELS}; else a composite whose reductions
 * are {@link channelSum}s (autodiff of tf.moments + tf.batchNorm instead tiles and reduces over
 * non-innermost axes, on wasm ≈ 25× slower for the ResNet's feature maps) and which frees each
 * full-size temporary as soon as used: at most two besides the input and the result.
 */
function batchNormTraining(
  x: tf.Tensor2D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
  onStats: (mean: tf.Tensor1D, variance: tf.Tensor1D) => void,
): tf.Tensor2D {
  const fused = hasBatchNormKernels();
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xs, g, b, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const [y, xhat, r] = fused
      ? batchNormKernelForward(xs, g, b, epsilon, onStats)
      : batchNormCompositeForward(xs, g, b, epsilon, onStats);
    save([xhat, g, r]);
    return {
      value: y,
      // in a tidy: tfjs runs customGrad gradients outside one, and keeps whatever they leave
      // until the whole backward pass ends (several full-size maps per norm)
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, gs, rs] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
        if (!fused) return batchNormGradients(dy as tf.Tensor2D, [xh, gs, rs]);
        return tf.engine().runKernel(BATCH_NORM_KERNELS.backward, {
          dy,
          xhat: xh,
          gamma: gs,
          rstd: rs,
        }) as tf.Tensor[];
      },
    };
  });
  return f(x, gamma, beta) as tf.Tensor2D;
}

/** `[y, x̂, rstd]` of {@link batchNormTraining} for x `[n, C]`, γ and β `[C]`. */
type BatchNormForward = (
  x: tf.Tensor2D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
  onStats: (mean: tf.Tensor1D, variance: tf.Tensor1D) => void,
) => [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];

/** {@link BatchNormForward} from the backend's forward kernel. */
const batchNormKernelForward: BatchNormForward = (x, gamma, beta, epsilon, onStats) => {
  const [y, xhat, mean, variance, rstd] = tf
    .engine()
    .runKernel(BATCH_NORM_KERNELS.forward, { x, gamma, beta }, { epsilon }) as tf.Tensor[];
  onStats(mean as tf.Tensor1D, variance as tf.Tensor1D);
  mean!.dispose();
  variance!.dispose();
  return [y as tf.Tensor2D, xhat as tf.Tensor2D, rstd as tf.Tensor1D];
};

/** {@link BatchNormForward} from tfjs ops. */
const batchNormCompositeForward: BatchNormForward = (x, gamma, beta, epsilon, onStats) => {
  const n = x.shape[0];
  const mu = tf.div(channelSum(x), n) as tf.Tensor1D;
  const centered = tf.sub(x, mu) as tf.Tensor2D;
  const v = tf.tidy(() => tf.div(channelSum(tf.square(centered) as tf.Tensor2D), n)) as tf.Tensor1D;
  onStats(mu, v);
  const r = tf.rsqrt(tf.add(v, epsilon)) as tf.Tensor1D;
  const xhat = tf.mul(centered, r) as tf.Tensor2D;
  centered.dispose();
  const y = tf.tidy(() => tf.add(tf.mul(xhat, gamma), beta)) as tf.Tensor2D;
  return [y, xhat, r];
};

/**
 * `[dx, dγ, dβ]` of {@link batchNormTraining} for `dy` `[n, C]`, from the saved `x̂`, γ and
 * `r = 1/√(σ² + ε)`: `dx = dy·a + (x̂·b + c)` with the per-channel `a = γ·r`, `b = −a·dγ/n`,
 * `c = −a·dβ/n` (the formula above, rearranged so that no more than two full-size temporaries
 * live at once).
 */
function batchNormGradients(
  dy: tf.Tensor2D,
  [xh, gs, rs]: [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D],
): tf.Tensor[] {
  return tf.tidy(() => {
    const n = xh.shape[0];
    const dBeta = channelSum(dy);
    const dGamma = tf.tidy(() => channelSum(tf.mul(dy, xh) as tf.Tensor2D));
    const a = tf.mul(gs, rs);
    const b = tf.div(tf.mul(a, dGamma), -n);
    const c = tf.div(tf.mul(a, dBeta), -n);
    const shift = tf.tidy(() => tf.add(tf.mul(xh, b), c));
    const dx = tf.tidy(() => tf.add(tf.mul(dy, a), shift));
    shift.dispose();
    return [dx, dGamma, dBeta];
  });
}
/**
 * Batch normalisation of group feature maps `[batch, h, w, G, C]` with statistics and affine
 * parameters per channel, shared over (batch, h, w, G), so it commutes with the group action
 * (the reference's BatchNorm3d).
 */
export class GroupBatchNorm extends BatchNormBase {
  apply(x: tf.Tensor5D, options: BatchNormApplyOptions = {}): tf.Tensor5D {
    assertGroupFeatures('GroupBatchNorm', x, undefined, this.options.channels);
    const { training = false, updateStatistics = true } = options;
    return this.normalize(x, [0, 1, 2, 3], training, updateStatistics) as tf.Tensor5D;
  }
}

/** Batch normalisation of `[batch, C]` features (the head's BatchNorm1d), same conventions. */
export class BatchNorm1D extends BatchNormBase {
  apply(x: tf.Tensor2D, options: BatchNormApplyOptions = {}): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.options.channels) {
      throw new Error(
        `Error in BatchNorm1D: x must be [batch, ${this.options.channels}], got shape [${x.shape}]`,
      );
    }
    const { training = false, updateStatistics = true } = options;
    return this.normalize(x, [0], training, updateStatistics) as tf.Tensor2D;
  }
}
