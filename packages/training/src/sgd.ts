import * as tf from '@tensorflow/tfjs-core';
import { checkNonNegative } from './adam';
import { Optimizer } from './optimizer';

/** Options of {@link SGD}. */
export interface SGDOptions {
  /** Default 0 (plain SGD). */
  momentum?: number;
  /** Nesterov momentum (needs momentum > 0). Default false. */
  nesterov?: boolean;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
}

/**
 * SGD as `torch.optim.SGD` (dampening 0): `g ← g + λθ`; with momentum μ > 0 the buffer is
 * `b ← g` on the first step, then `b ← μb + g`; the step direction is `g + μb` (Nesterov) or `b`;
 * `θ ← θ − lr·direction`. Slot `momentum_buffer`.
 */
export class SGD extends Optimizer {
  readonly name = 'sgd' as const;
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  constructor(options: SGDOptions = {}) {
    super();
    this.momentum = options.momentum ?? 0;
    this.nesterov = options.nesterov ?? false;
    this.weightDecay = options.weightDecay ?? 0;
    checkNonNegative('SGD', 'momentum', this.momentum);
    checkNonNegative('SGD', 'weightDecay', this.weightDecay);
    if (this.nesterov && this.momentum <= 0) {
      throw new Error('Error in SGD: nesterov needs momentum > 0 (as torch.optim.SGD)');
    }
  }

  getConfig() {
    return { momentum: this.momentum, nesterov: this.nesterov, weightDecay: this.weightDecay };
  }

  get slotNames(): readonly string[] {
    return this.momentum === 0 ? [] : ['momentum_buffer'];
  }

  protected update(
    param: tf.Tensor1D,
    grad: tf.Tensor1D,
    lr: number,
    slots: Readonly<Record<string, tf.Variable>>,
  ): tf.Tensor1D {
    let d = this.decayed(grad, param, this.weightDecay);
    if (this.momentum !== 0) {
      // The buffer starts at zero, so the first step sets it to d, as torch.optim.SGD does.
      const buf = slots.momentum_buffer!;
      buf.assign(tf.add(tf.mul(buf, this.momentum), d));
      d = this.nesterov ? tf.add(d, tf.mul(buf, this.momentum)) : (buf as tf.Tensor as tf.Tensor1D);
    }
    return tf.sub(param, tf.mul(d, lr));
  }
}
