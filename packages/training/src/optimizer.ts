import * as tf from '@tensorflow/tfjs-core';

/** Names of the optimizers of the reference (`--optim`). */
export type OptimizerName = 'adam' | 'sgd' | 'adadelta';

/** The JSON part of an optimizer's state; its slot tensors travel separately (see {@link Optimizer.slots}). */
export interface OptimizerStateJson {
  name: OptimizerName;
  /** Number of `apply` calls so far (PyTorch's `state['step']`, shared by all parameters). */
  step: number;
  /** Hyperparameters, for the record (restoring uses the optimizer's own). */
  config: Record<string, number | boolean>;
}

/**
 * Base of the optimizers: explicit, serialisable state over `tf.Variable`s, updated in place with
 * PyTorch's formulas. L2 weight decay is added to the gradient (`g ← g + λ·θ`), as
 * `torch.optim.*(weight_decay=λ)` does — not decoupled (AdamW).
 *
 * State = `step` (JSON) plus named slot variables `slot/parameterName` (e.g. `exp_avg/head.weight`),
 * created lazily on the first step as PyTorch does.
 */
export abstract class Optimizer {
  abstract readonly name: OptimizerName;
  /** Number of completed steps. */
  step = 0;
  protected readonly slotVariables = new Map<string, tf.Variable>();

  /** Hyperparameters as a JSON object. */
  abstract getConfig(): Record<string, number | boolean>;

  /**
   * The slots this optimizer keeps for each parameter it has updated (Adam: `exp_avg`,
   * `exp_avg_sq`), each shaped as its parameter: what a restored state must hold.
   */
  abstract slotNames(): readonly string[];

  /** One update `θ ← θ − …` for every parameter with a gradient; `lr` is this step's learning rate. */
  apply(
    params: ReadonlyArray<readonly [string, tf.Variable]>,
    grads: Readonly<Record<string, tf.Tensor>>,
    lr: number,
  ): void {
    if (!Number.isFinite(lr) || lr < 0) {
      throw new Error(`Error in ${this.name}.apply: lr must be a finite number ≥ 0, got ${lr}`);
    }
    this.step += 1;
    tf.tidy(() => {
      for (const [name, param] of params) {
        const grad = grads[name];
        if (!grad) continue;
        if (grad.shape.join() !== param.shape.join()) {
          throw new Error(
            `Error in ${this.name}.apply: gradient of '${name}' has shape [${grad.shape}], parameter [${param.shape}]`,
          );
        }
        this.update(name, param, grad, lr);
      }
    });
  }

  /** Updates one parameter (inside a tidy). */
  protected abstract update(name: string, param: tf.Variable, grad: tf.Tensor, lr: number): void;

  /** The gradient with L2 weight decay added: `g + λ·θ` (or `g` when λ = 0). */
  protected decayed(grad: tf.Tensor, param: tf.Variable, weightDecay: number): tf.Tensor {
    return weightDecay === 0 ? grad : tf.add(grad, tf.mul(param, weightDecay));
  }

  /** The slot `slot/name`, created from `init()` on first use. */
  protected slot(slot: string, name: string, init: () => tf.Tensor): tf.Variable {
    const key = `${slot}/${name}`;
    let v = this.slotVariables.get(key);
    if (!v) {
      v = tf.variable(init(), false, `gcnn-opt-${this.name}-${key}-${nextId++}`);
      this.slotVariables.set(key, v);
    }
    return v;
  }

  /** Whether the slot exists yet (slots are created lazily). */
  protected hasSlot(slot: string, name: string): boolean {
    return this.slotVariables.has(`${slot}/${name}`);
  }

  /** The slot variables by key `slot/parameterName`, sorted by key. */
  slots(): Array<[string, tf.Variable]> {
    return [...this.slotVariables.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The JSON part of the state. */
  getState(): OptimizerStateJson {
    return { name: this.name, step: this.step, config: this.getConfig() };
  }

  /**
   * Restores a state from {@link Optimizer.getState} and {@link Optimizer.slots} (values are
   * copied; the caller keeps ownership of `slots`). Existing slots are replaced.
   */
  setState(state: OptimizerStateJson, slots: Readonly<Record<string, tf.Tensor>>): void {
    if (state.name !== this.name) {
      throw new Error(
        `Error in ${this.name}.setState: the state is of optimizer '${state.name}', expected '${this.name}'`,
      );
    }
    if (!Number.isInteger(state.step) || state.step < 0) {
      throw new Error(
        `Error in ${this.name}.setState: step must be an integer ≥ 0, got ${state.step}`,
      );
    }
    this.disposeSlots();
    this.step = state.step;
    for (const [key, value] of Object.entries(slots)) {
      const v = tf.variable(value, false, `gcnn-opt-${this.name}-${key}-${nextId++}`);
      this.slotVariables.set(key, v);
    }
  }

  private disposeSlots(): void {
    for (const v of this.slotVariables.values()) v.dispose();
    this.slotVariables.clear();
  }

  /** Disposes the slot variables. */
  dispose(): void {
    this.disposeSlots();
  }
}

let nextId = 0;
