import * as tf from '@tensorflow/tfjs-core';
import { Optimizer } from './optimizer';

/** Options of {@link Adam} (PyTorch's defaults). */
export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** L2 penalty added to the gradient (not AdamW). Default 0. */
  weightDecay?: number;
}

/**
 * Adam as `torch.optim.Adam` (amsgrad off). With `t` the step count (from 1):
 * `g ← g + λθ`, `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
 * `θ ← θ − (lr/(1−β₁ᵗ)) · m / (√v/√(1−β₂ᵗ) + ε)`. Slots `exp_avg`, `exp_avg_sq`.
 */
export class Adam extends Optimizer {
  readonly name = 'adam' as const;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;

  constructor(options: AdamOptions = {}) {
    super();
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    checkUnit('Adam', 'beta1', this.beta1);
    checkUnit('Adam', 'beta2', this.beta2);
    checkNonNegative('Adam', 'eps', this.eps);
    checkNonNegative('Adam', 'weightDecay', this.weightDecay);
  }

  getConfig() {
    return { beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay };
  }

  readonly slotNames = ['exp_avg', 'exp_avg_sq'] as const;

  protected update(
    param: tf.Tensor1D,
    grad: tf.Tensor1D,
    lr: number,
    slots: Readonly<Record<string, tf.Variable>>,
  ): tf.Tensor1D {
    const g = this.decayed(grad, param, this.weightDecay);
    const m = slots.exp_avg!;
    const v = slots.exp_avg_sq!;
    m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
    v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
    const biasCorrection1 = 1 - this.beta1 ** this.step;
    const biasCorrection2Sqrt = Math.sqrt(1 - this.beta2 ** this.step);
    const denom = tf.add(tf.div(tf.sqrt(v), biasCorrection2Sqrt), this.eps);
    return tf.sub(param, tf.mul(tf.div(m, denom), lr / biasCorrection1));
  }
}

/** Throws unless `0 ≤ value < 1`. */
export function checkUnit(op: string, key: string, value: number): void {
  if (!(value >= 0 && value < 1)) {
    throw new Error(`Error in ${op}: ${key} must be in [0, 1), got ${value}`);
  }
}

/** Throws unless `value` is finite and ≥ 0. */
export function checkNonNegative(op: string, key: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new Error(`Error in ${op}: ${key} must be a finite number ≥ 0, got ${value}`);
  }
}
