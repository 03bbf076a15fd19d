/**
 * batchGradients with micro-batches (gradient accumulation): for a model whose rows do not
 * interact it equals one step on the whole batch — loss, hits, gradients, and the generator state
 * after it, with per-row dropout and a per-call random draw (as `uniform` sampling) — and with
 * batch statistics each micro-batch is normalised by its own.
 */

import { createRng } from '@gcnn/lie-groups';
import { createModel, type ModelConfig } from '@gcnn/models';
import { relativeL2, testModelConfig, tolerance } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { batchGradients, type StepGradients } from './data-parallel';
import { TestNet } from './node/data-parallel.test-helpers';

const batch = () =>
  tf.tidy(() => ({
    xs: tf.randomUniform([10, 3, 3, 1], 0, 1, 'float32', 2) as tf.Tensor4D,
    ys: tf.tensor1d([0, 1, 2, 0, 1, 2, 2, 1, 0, 1], 'int32'),
  }));

async function read(step: StepGradients) {
  const out = {
    loss: (await step.loss.data())[0] as number,
    correct: (await step.correct.data())[0] as number,
    grads: Object.fromEntries(
      await Promise.all(
        Object.entries(step.grads).map(async ([n, g]) => [n, (await g.data()) as Float32Array]),
      ),
    ) as Record<string, Float32Array>,
  };
  tf.dispose([step.loss, step.correct, ...Object.values(step.grads)]);
  return out;
}

describe('batchGradients with accumulateSteps', () => {
  it('equals one step on the whole batch for a model without batch statistics', async () => {
    const model = new TestNet({
      kind: 'mlp',
      inputs: 9,
      hidden: 6,
      classes: 3,
      seed: 4,
      dropout: 0.3,
    });
    const { xs, ys } = batch();
    const rngWhole = createRng(12);
    const whole = await read(batchGradients(model, xs, ys, rngWhole));
    for (const accumulateSteps of [2, 3, 10]) {
      const rng = createRng(12);
      const parts = await read(batchGradients(model, xs, ys, rng, undefined, { accumulateSteps }));
      expect(rng.getState(), `${accumulateSteps}: rng state`).toBe(rngWhole.getState());
      expect(Math.abs(parts.loss - whole.loss)).toBeLessThanOrEqual(
        tolerance('exact') * whole.loss,
      );
      expect(parts.correct).toBe(whole.correct);
      expect(Object.keys(parts.grads)).toEqual(Object.keys(whole.grads));
      for (const [name, g] of Object.entries(whole.grads)) {
        expect(await relativeL2(parts.grads[name] as Float32Array, g), name).toBeLessThanOrEqual(
          tolerance('exact'),
        );
      }
    }
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it('equals one step for a group-equivariant model without batch statistics (layer norm, dropout, uniform sampling), checkpointed', async () => {
    const config: ModelConfig = { ...testModelConfig('ckgallcnnc') };
    const model = createModel(config);
    const xs = tf.randomUniform([6, 8, 8, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    const ys = tf.tensor1d([0, 1, 2, 2, 1, 0], 'int32');
    const whole = await read(batchGradients(model, xs, ys, createRng(8)));
    const options = { accumulateSteps: 3, memory: 'checkpoint' as const };
    const parts = await read(batchGradients(model, xs, ys, createRng(8), undefined, options));
    expect(Math.abs(parts.loss - whole.loss)).toBeLessThanOrEqual(tolerance('exact') * whole.loss);
    const all = (g: Record<string, Float32Array>) =>
      Float32Array.from(Object.values(g).flatMap((a) => Array.from(a)));
    expect(await relativeL2(all(parts.grads), all(whole.grads))).toBeLessThanOrEqual(
      tolerance('exact'),
    );
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it('with batch statistics normalises each micro-batch by its own (differs from one step), one update per micro-batch', async () => {
    const model = new TestNet({ kind: 'batchnorm', inputs: 9, hidden: 6, classes: 3, seed: 4 });
    const { xs, ys } = batch();
    const whole = await read(batchGradients(model, xs, ys, createRng(3)));
    const calls = (await model.v('calls').data())[0];
    const parts = await read(
      batchGradients(model, xs, ys, createRng(3), undefined, { accumulateSteps: 2 }),
    );
    expect((await model.v('calls').data())[0]).toBe((calls as number) + 2);
    expect(
      await relativeL2(parts.grads.w1 as Float32Array, whole.grads.w1 as Float32Array),
    ).toBeGreaterThan(tolerance('exact'));
    tf.dispose([xs, ys]);
    model.dispose();
  });
});
