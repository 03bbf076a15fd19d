import * as tf from '@tensorflow/tfjs-core';
import { FlatSlots } from './flat-slots';

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
 * State = `step` (JSON) plus slots per parameter, `slot/parameterName` (e.g. `exp_avg/head.weight`),
 * created on the first step as PyTorch does. A step runs on all parameters at once, as PyTorch's
 * fused/foreach optimizers do: the parameters and gradients are concatenated into one vector, the
 * slots are held as one vector each (`FlatSlots`), the update formula runs once on those and
 * the result is split back into the parameters — the same element-wise arithmetic (identical
 * values) in ~3 ops per parameter instead of ~13.
 */
export abstract class Optimizer {
  abstract readonly name: OptimizerName;
  /** Number of completed steps. */
  step = 0;
  /**
   * The slots this optimizer keeps for each parameter it has updated (Adam: `exp_avg`,
   * `exp_avg_sq`; none for plain SGD), each shaped as its parameter: what a restored state must hold.
   */
  abstract readonly slotNames: readonly string[];
  private readonly state = new FlatSlots(this.constructor.name);

  /** Hyperparameters as a JSON object. */
  abstract getConfig(): Record<string, number | boolean>;

  /**
   * One update `θ ← θ − …` for every parameter with a gradient; `lr` is this step's learning
   * rate. Every gradient's shape is checked before anything changes.
   */
  apply(
    params: ReadonlyArray<readonly [string, tf.Variable]>,
    grads: Readonly<Record<string, tf.Tensor>>,
    lr: number,
  ): void {
    if (!Number.isFinite(lr) || lr < 0) {
      throw new Error(`Error in ${this.name}.apply: lr must be a finite number ≥ 0, got ${lr}`);
    }
    const stepped = params.filter(([name]) => grads[name] !== undefined);
    for (const [name, param] of stepped) {
      const grad = grads[name]!;
      if (grad.shape.join() !== param.shape.join()) {
        throw new Error(
          `Error in ${this.name}.apply: gradient of '${name}' has shape [${grad.shape}], parameter [${param.shape}]`,
        );
      }
    }
    this.step += 1;
    if (stepped.length === 0) return;
    tf.tidy(() => {
      const names = stepped.map(([name]) => name);
      const shapes = stepped.map(([, p]) => p.shape);
      const slots = this.state.packed(this.slotNames, names, shapes);
      const theta = concatFlat(stepped.map(([, p]) => p));
      const grad = concatFlat(stepped.map(([name]) => grads[name]!));
      const next = this.update(theta, grad, lr, slots);
      const pieces =
        stepped.length === 1 ? [next] : tf.split(next, shapes.map(tf.util.sizeFromShape));
      stepped.forEach(([, p], i) => {
        p.assign(p.rank === 1 ? pieces[i]! : tf.reshape(pieces[i]!, p.shape));
      });
    });
  }

  /**
   * The updated parameters `[n]` from the parameters `param` `[n]` and gradients `grad` `[n]` of
   * every stepped parameter, concatenated, updating the slots `slots[name]` `[n]` (called inside a
   * tidy; `this.step` is the step being made).
   */
  protected abstract update(
    param: tf.Tensor1D,
    grad: tf.Tensor1D,
    lr: number,
    slots: Readonly<Record<string, tf.Variable>>,
  ): tf.Tensor1D;

  /** The gradient with L2 weight decay added: `g + λ·θ` (or `g` when λ = 0). */
  protected decayed(grad: tf.Tensor1D, param: tf.Tensor1D, weightDecay: number): tf.Tensor1D {
    return weightDecay === 0 ? grad : tf.add(grad, tf.mul(param, weightDecay));
  }

  /**
   * The slot tensors by key `slot/parameterName`, sorted by key: owned by the optimizer, valid
   * until its next `apply`, `setState` or `dispose` (read them, e.g. into a checkpoint, before).
   */
  slots(): Array<[string, tf.Tensor]> {
    return this.state.named();
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
    this.step = state.step;
    this.state.restore(slots);
  }

  /** Disposes the slots. */
  dispose(): void {
    this.state.dispose();
  }
}

/** The tensors flattened and concatenated: `[Σ sizes]`. */
function concatFlat(ts: readonly tf.Tensor[]): tf.Tensor1D {
  // Vectors go in as they are: a reshape is a kernel, and a step's fixed cost is its kernels.
  const flat = ts.map((t) => (t.rank === 1 ? t : tf.reshape(t, [-1])) as tf.Tensor1D);
  return flat.length === 1 ? flat[0]! : tf.concat(flat);
}
