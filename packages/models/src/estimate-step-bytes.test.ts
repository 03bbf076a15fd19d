/**
 * estimateStepBytes against the measured peak of a training step's tensor buffers
 * (meterBufferBytes around forward, loss and backward): within 1.5× either way for the modes a
 * trainer chooses between (lean, checkpoint), 2× for plain autodiff, on small models of every
 * factorisation and the default preset.
 */

import { type Implementation, meterBufferBytes } from '@gcnn/group-conv';
import { createRng } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { TrainingMemory } from './classifier';
import { createModel } from './create-model';
import { estimateStepBytes } from './estimate-step-bytes';
import type { GroupClassifier } from './group-classifier';
import type { ModelConfig } from './model-config';
import { MODEL_PRESETS } from './model-presets';

function small(group: 'SE2' | 'Sim2', implementation: Implementation): ModelConfig {
  return {
    ...MODEL_PRESETS['se2-separable'],
    group,
    ...(group === 'Sim2' ? { maxScale: 1.5 } : {}),
    sampleCount: group === 'Sim2' ? [4, 2] : 4,
    sampling: 'uniform',
    implementation,
    imageSize: 16,
    numClasses: 3,
    hiddenSizes: [6, 6, 12],
    kernelSize: 5,
    dropout: 0.1,
    kernelNet: { ...MODEL_PRESETS['se2-separable'].kernelNet, hiddenSize: 16 },
    seed: 3,
  };
}

/** Peak bytes of tensor buffers allocated by one forward + loss + backward of `batch` rows. */
function measuredStepBytes(model: GroupClassifier, batch: number, memory: TrainingMemory): number {
  const { imageSize: s, inChannels: c, numClasses: k } = model.config;
  const images = tf.randomUniform([batch, s, s, c], 0, 1, 'float32', 1) as tf.Tensor4D;
  const labels = tf.tidy(() =>
    tf.oneHot(
      tf.tensor1d(
        Array.from({ length: batch }, (_, i) => i % k),
        'int32',
      ),
      k,
    ),
  );
  const meter = meterBufferBytes();
  try {
    const { value, grads } = tf.variableGrads(
      () =>
        tf.losses.softmaxCrossEntropy(
          labels,
          model.apply(images, { training: true, rng: createRng(1), memory }),
        ) as tf.Scalar,
    );
    tf.dispose([value, ...Object.values(grads)]);
    return meter.peakBytes;
  } finally {
    meter.stop();
    tf.dispose([images, labels]);
  }
}

const CASES: Array<[string, ModelConfig]> = [
  ...(['nonseparable', 'separable', 'gseparable', 'dseparable', 'dgseparable'] as const).map(
    (impl): [string, ModelConfig] => [`SE2 ${impl}`, small('SE2', impl)],
  ),
  ['Sim2 separable+2d', small('Sim2', 'separable+2d')],
  ['Sim2 gseparable+2d', small('Sim2', 'gseparable+2d')],
  ['default preset (ckgcnn, layernorm)', { ...MODEL_PRESETS.default }],
];

describe('estimateStepBytes', () => {
  for (const [name, config] of CASES) {
    it(`${name}: within the stated factor of the measured peak`, () => {
      const model = createModel(config);
      try {
        for (const batch of [2, 4]) {
          for (const [memory, factor] of [
            ['lean', 1.5],
            ['checkpoint', 1.5],
            ['autodiff', 2],
          ] as const) {
            const ratio =
              estimateStepBytes(model, { batch, memory }).step /
              measuredStepBytes(model, batch, memory);
            expect(ratio, `${memory} batch ${batch}`).toBeLessThanOrEqual(factor);
            expect(ratio, `${memory} batch ${batch}`).toBeGreaterThanOrEqual(1 / factor);
          }
        }
      } finally {
        model.dispose();
      }
    }, 120_000);
  }

  it('orders the modes, grows with the batch, counts parameters and optimizer state', () => {
    const config = { ...MODEL_PRESETS['sim2-separable2d'] };
    const at = (batch: number, memory: TrainingMemory) =>
      estimateStepBytes(config, { batch, memory });
    expect(at(8, 'checkpoint').step).toBeLessThan(at(8, 'lean').step);
    expect(at(8, 'lean').step).toBeLessThan(at(8, 'autodiff').step);
    expect(at(16, 'checkpoint').step).toBeGreaterThan(at(8, 'checkpoint').step);
    const params = createModel(config);
    const bytes = params.parameterCount() * 4;
    params.dispose();
    expect(at(8, 'lean').parameters).toBe(3 * bytes);
    expect(
      estimateStepBytes(config, { batch: 8, memory: 'lean', optimizerSlots: 0 }).parameters,
    ).toBe(bytes);
  });

  it('rejects a batch that is not a positive integer', () => {
    expect(() => estimateStepBytes(MODEL_PRESETS.default, { batch: 0, memory: 'lean' })).toThrow(
      /batch must be an integer ≥ 1, got 0/,
    );
  });
});
