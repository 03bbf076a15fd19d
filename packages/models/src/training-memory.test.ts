/**
 * The training memory modes (`lean`: gradient segments freed as the backward pass walks back;
 * `checkpoint`: segments recomputed in the backward pass) give the loss, gradients, batch-norm
 * running statistics and generator state of plain autodiff, for every factorisation on SE(2) and
 * Sim(2), with `uniform` sampling and dropout (the replay must draw the same elements and masks,
 * and update the running statistics once).
 */

import type { Implementation } from '@gcnn/group-conv';
import { createRng } from '@gcnn/lie-groups';
import { relativeL2, tolerance } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { TrainingMemory } from './classifier';
import { createModel } from './create-model';
import type { ModelConfig } from './model-config';
import { MODEL_PRESETS } from './model-presets';

/** A small CK-G-ResNet with both block kinds (C → C keeps its elements, C → 2C samples), BN, dropout. */
function small(group: 'SE2' | 'Sim2', implementation: Implementation): ModelConfig {
  return {
    ...MODEL_PRESETS['se2-separable'],
    group,
    ...(group === 'Sim2' ? { maxScale: 1.5, sampleCount: [4, 2] as [number, number] } : {}),
    sampleCount: group === 'Sim2' ? [4, 2] : 4,
    sampling: 'uniform',
    implementation,
    imageSize: 16,
    numClasses: 3,
    // dense convs over G·C channels (nonseparable, gseparable) are slow on cpu: fewer channels
    hiddenSizes:
      implementation === 'nonseparable' || implementation === 'gseparable' ? [2, 2, 4] : [4, 4, 8],
    kernelSize: 3,
    dropout: 0.2,
    kernelNet: { ...MODEL_PRESETS['se2-separable'].kernelNet, hiddenSize: 6 },
    seed: 3,
  };
}

interface StepResult {
  loss: number;
  grads: Map<string, Float32Array>;
  /** Every non-trainable variable after the step (running statistics). */
  state: Map<string, Float32Array>;
  rngState: number;
}

async function trainingStep(config: ModelConfig, memory: TrainingMemory): Promise<StepResult> {
  const model = createModel(config);
  const rng = createRng(9);
  const images = tf.tidy(() =>
    tf.randomUniform([3, config.imageSize, config.imageSize, 1], 0, 1, 'float32', 4),
  ) as tf.Tensor4D;
  const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 2, 1], 'int32'), 3));
  const named = model.namedVariables();
  const trainable = named.filter(([, v]) => v.trainable);
  try {
    const { value, grads } = tf.variableGrads(
      () =>
        tf.tidy(() =>
          tf.losses.softmaxCrossEntropy(
            labels,
            model.apply(images, { training: true, rng, memory }),
          ),
        ) as tf.Scalar,
      trainable.map(([, v]) => v),
    );
    const out: StepResult = {
      loss: (await value.data())[0] as number,
      grads: new Map(),
      state: new Map(),
      rngState: rng.getState(),
    };
    for (const [name, v] of trainable) {
      const g = grads[v.name];
      if (g) out.grads.set(name, (await g.data()) as Float32Array);
    }
    for (const [name, v] of named)
      if (!v.trainable) out.state.set(name, (await v.data()) as Float32Array);
    tf.dispose([value, ...Object.values(grads)]);
    return out;
  } finally {
    tf.dispose([images, labels]);
    model.dispose();
  }
}

async function expectSameStep(here: StepResult, reference: StepResult) {
  const bound = tolerance('exact');
  expect(Math.abs(here.loss - reference.loss)).toBeLessThanOrEqual(
    bound * Math.abs(reference.loss),
  );
  expect(here.rngState).toBe(reference.rngState);
  expect([...here.grads.keys()]).toEqual([...reference.grads.keys()]);
  for (const [name, g] of reference.grads) {
    expect(await relativeL2(here.grads.get(name) as Float32Array, g), name).toBeLessThanOrEqual(
      bound,
    );
  }
  for (const [name, s] of reference.state) {
    expect(await relativeL2(here.state.get(name) as Float32Array, s), name).toBeLessThanOrEqual(
      bound,
    );
  }
}

const CASES: Array<['SE2' | 'Sim2', Implementation]> = [
  ...(['nonseparable', 'separable', 'gseparable', 'dseparable', 'dgseparable'] as const).flatMap(
    (impl): Array<['SE2' | 'Sim2', Implementation]> => [
      ['SE2', impl],
      ['Sim2', impl],
    ],
  ),
  ['Sim2', 'separable+2d'],
  ['Sim2', 'gseparable+2d'],
];

describe('training memory modes equal autodiff', () => {
  for (const [group, implementation] of CASES) {
    it(`${group} ${implementation}: lean and checkpoint`, async () => {
      const config = small(group, implementation);
      const reference = await trainingStep(config, 'autodiff');
      expect(reference.state.size).toBeGreaterThan(0);
      await expectSameStep(await trainingStep(config, 'lean'), reference);
      await expectSameStep(await trainingStep(config, 'checkpoint'), reference);
    }, 180_000);
  }

  it('ckgcnn and ckgallcnnc (conv stages, a final 1×1 conv)', async () => {
    const base = small('SE2', 'separable');
    for (const config of [
      { ...base, model: 'ckgcnn', hiddenSizes: [4, 6], dropout: 0 },
      { ...base, model: 'ckgallcnnc', widenFactor: 0.05 },
    ] as ModelConfig[]) {
      const reference = await trainingStep(config, 'autodiff');
      await expectSameStep(await trainingStep(config, 'lean'), reference);
      await expectSameStep(await trainingStep(config, 'checkpoint'), reference);
    }
  });
});
