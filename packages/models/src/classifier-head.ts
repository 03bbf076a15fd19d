import { BatchNorm1D, Module } from '@gcnn/group-conv';
import type { Rng } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';
import { dropout, type StageContext } from './internal/stage';

/** Width of the head's hidden layer (the reference's fixed 256, after Sosnovik's SESN). */
export const HEAD_HIDDEN_SIZE = 256;
/** Dropout rate of the head (fixed in the reference). */
export const HEAD_DROPOUT = 0.3;

/** A PyTorch-default `Linear` init: U(±1/√fanIn) for every value, drawn from `rng` (row-major `[fanIn, fanOut]`). */
function uniformInit(rng: Rng, shape: number[], fanIn: number): tf.Tensor {
  const bound = 1 / Math.sqrt(fanIn);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => (2 * rng.next() - 1) * bound),
    shape,
  );
}

/**
 * The reference's classification head (`final_linear`): invariant features `[batch, C]` →
 * logits `[batch, numClasses]` by Linear(C → 256, no bias), BatchNorm1d(256), ReLU,
 * Dropout(0.3), Linear(256 → numClasses). Weights (at the reference's `Sequential` indices):
 * `0.weight` `[C, 256]`, `1.*` (BatchNorm1D), `4.weight` `[256, numClasses]`, `4.bias`. Linear
 * weights are `[in, out]` (PyTorch's transposed) and initialised as PyTorch's defaults.
 */
export class ClassifierHead extends Module {
  readonly weight0: tf.Variable;
  readonly norm: BatchNorm1D;
  readonly weight4: tf.Variable;
  readonly bias4: tf.Variable;

  constructor(inFeatures: number, numClasses: number, rng: Rng) {
    super();
    const h = HEAD_HIDDEN_SIZE;
    this.weight0 = this.addWeight('0.weight', uniformInit(rng, [inFeatures, h], inFeatures));
    this.norm = this.addModule('1', new BatchNorm1D({ channels: h }));
    this.weight4 = this.addWeight('4.weight', uniformInit(rng, [h, numClasses], h));
    this.bias4 = this.addWeight('4.bias', uniformInit(rng, [numClasses], h));
  }

  /** Features `[batch, C]` → logits `[batch, numClasses]`. */
  apply(x: tf.Tensor2D, ctx: StageContext): tf.Tensor2D {
    return tf.tidy(() => {
      const z = tf.matMul(x, this.weight0 as tf.Tensor2D) as tf.Tensor2D;
      let y = tf.relu(this.norm.apply(z, { training: ctx.training }));
      y = dropout(y, HEAD_DROPOUT, ctx);
      return tf.add(tf.matMul(y, this.weight4 as tf.Tensor2D), this.bias4);
    });
  }
}
