/**
 * `quarterTurnMisalignments` against `checkEquivariance`: on small models of each kind, with image
 * sizes, strides and pooling chosen to land on both sides of the condition, a model is invariant
 * to quarter turns (to float32 round-off through sin/cos) exactly when no op is reported.
 */
import { checkEquivariance } from '@gcnn/group-conv/testing';
import { groupByName } from '@gcnn/lie-groups';
import { tolerance } from '@gcnn/test-utils';
import type * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createModel } from './create-model';
import type { GroupClassifier } from './group-classifier';
import type { ModelConfig } from './model-config';
import { quarterTurnMisalignments } from './quarter-turn-alignment';

function config(extra: Partial<ModelConfig>): ModelConfig {
  return {
    model: 'ckgcnn',
    group: 'SE2',
    sampleCount: 4,
    sampling: 'discretize',
    implementation: 'separable',
    inChannels: 1,
    imageSize: 12,
    numClasses: 3,
    hiddenSizes: [3, 4],
    kernelSize: 3,
    stride: 1,
    padding: true,
    pooling: true,
    normalization: 'layernorm',
    dropout: 0,
    kernelNet: { hiddenSize: 8, numHidden: 1, firstOmega0: 10, omega0: 10 },
    seed: 3,
    ...extra,
  };
}

/** Name, config, and the layers expected to be reported (empty: exactly invariant). */
const CASES: Array<[string, ModelConfig, string[]]> = [
  ['ckgcnn 12×12 (pools on 12 and 6)', config({}), []],
  ['ckgcnn 13×13 (pool on 13)', config({ imageSize: 13 }), ['layers.1']],
  ['ckgcnn 14×14 (second pool on 7)', config({ imageSize: 14 }), ['layers.5']],
  [
    'ckgresnet 11×11 with pooling (pool on 11)',
    config({ model: 'ckgresnet', imageSize: 11, normalization: 'batchnorm' }),
    ['layers.4'],
  ],
  [
    'ckgresnet 11×11 without pooling',
    config({ model: 'ckgresnet', imageSize: 11, pooling: false, normalization: 'batchnorm' }),
    [],
  ],
  [
    'ckgresnet 13×13 stride 2 (k=3, p=1 on an odd size)',
    config({ model: 'ckgresnet', imageSize: 13, stride: 2, pooling: false }),
    [],
  ],
  [
    'ckgresnet 12×12 stride 2 (on an even size)',
    config({ model: 'ckgresnet', imageSize: 12, stride: 2, pooling: false }),
    ['layers.2.skipAlign', 'layers.2.gconv1'],
  ],
  [
    'ckgresnet 13×13 unpadded lifting (11×11 into the pool)',
    config({ model: 'ckgresnet', imageSize: 13, padding: false }),
    ['layers.4'],
  ],
  [
    'Sim(2) [4, 2] separable+2d ckgcnn 12×12',
    config({ group: 'Sim2', maxScale: 1.5, sampleCount: [4, 2], implementation: 'separable+2d' }),
    [],
  ],
  [
    'Sim(2) [4, 2] separable+2d ckgcnn 13×13',
    config({
      group: 'Sim2',
      maxScale: 1.5,
      sampleCount: [4, 2],
      implementation: 'separable+2d',
      imageSize: 13,
    }),
    ['layers.1'],
  ],
  [
    'ckgallcnnc 10×10 (pools on 10 and 5)',
    config({ model: 'ckgallcnnc', imageSize: 10, widenFactor: 0.04 }),
    ['layers.15'],
  ],
];

describe('quarterTurnMisalignments: the exact-invariance condition, checked by checkEquivariance', () => {
  for (const [name, cfg, expected] of CASES) {
    it(name, async () => {
      const model = createModel(cfg) as GroupClassifier & ReturnType<typeof createModel>;
      try {
        const reported = quarterTurnMisalignments(model);
        expect(reported.map((m) => m.layer)).toEqual(expected);
        const report = await checkEquivariance(
          (x: tf.Tensor) => model.apply(x as tf.Tensor4D),
          groupByName({ name: cfg.group, maxScale: cfg.maxScale }),
          {
            sampleCount: cfg.sampleCount,
            input: 'image',
            output: 'invariant',
            inputShape: [2, cfg.imageSize, cfg.imageSize, 1],
            seed: 7,
          },
        );
        console.info(`${name}: max rot90 error ${report.maxError.toExponential(2)}`);
        if (expected.length === 0) expect(report.maxError).toBeLessThanOrEqual(tolerance('trig'));
        else expect(report.maxError).toBeGreaterThan(1e-3);
      } finally {
        model.dispose();
      }
    });
  }
});
