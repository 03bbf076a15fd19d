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

  slotNames(): readonly string[] {
    return this.momentum !== 0 ? ['momentum_buffer'] : [];
  }

  protected update(name: string, param: tf.Variable, grad: tf.Tensor, lr: number): void {
    let d = this.decayed(grad, param, this.weightDecay);
    if (this.momentum !== 0) {
      let buf: tf.Variable;
      if (!this.hasSlot('momentum_buffer', name)) {
        buf = this.slot('momentum_buffer', name, () => tf.clone(d));
      } else {
        buf = this.slot('momentum_buffer', name, () => tf.zerosLike(param));
        buf.assign(tf.add(tf.mul(buf, this.momentum), d));
      }
      d = this.nesterov ? tf.add(d, tf.mul(buf, this.momentum)) : buf;
    }
    param.assign(tf.sub(param, tf.mul(d, lr)));
  }
}
