import * as tf from '@tensorflow/tfjs-core';
import { checkNonNegative, checkUnit } from './adam';
import { Optimizer } from './optimizer';

/** Options of {@link Adadelta} (PyTorch's defaults). */
export interface AdadeltaOptions {
  rho?: number;
  eps?: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
}

/**
 * Adadelta as `torch.optim.Adadelta`: `g ← g + λθ`, `s ← ρs + (1−ρ)g²`,
 * `Δ ← √(u + ε)/√(s + ε) · g`, `u ← ρu + (1−ρ)Δ²`, `θ ← θ − lr·Δ` (PyTorch's lr default is 1).
 * Slots `square_avg` (s), `acc_delta` (u).
 */
export class Adadelta extends Optimizer {
  readonly name = 'adadelta' as const;
  readonly rho: number;
  readonly eps: number;
  readonly weightDecay: number;

  constructor(options: AdadeltaOptions = {}) {
    super();
    this.rho = options.rho ?? 0.9;
    this.eps = options.eps ?? 1e-6;
    this.weightDecay = options.weightDecay ?? 0;
    checkUnit('Adadelta', 'rho', this.rho);
    checkNonNegative('Adadelta', 'eps', this.eps);
    checkNonNegative('Adadelta', 'weightDecay', this.weightDecay);
  }

  getConfig() {
    return { rho: this.rho, eps: this.eps, weightDecay: this.weightDecay };
  }

  readonly slotNames = ['square_avg', 'acc_delta'] as const;

  protected update(
    param: tf.Tensor1D,
    grad: tf.Tensor1D,
    lr: number,
    slots: Readonly<Record<string, tf.Variable>>,
  ): tf.Tensor1D {
    const g = this.decayed(grad, param, this.weightDecay);
    const s = slots.square_avg!;
    const u = slots.acc_delta!;
    s.assign(tf.add(tf.mul(s, this.rho), tf.mul(tf.square(g), 1 - this.rho)));
    const delta = tf.mul(tf.div(tf.sqrt(tf.add(u, this.eps)), tf.sqrt(tf.add(s, this.eps))), g);
    u.assign(tf.add(tf.mul(u, this.rho), tf.mul(tf.square(delta), 1 - this.rho)));
    return tf.sub(param, tf.mul(delta, lr));
  }
}
