/**
 * Whole-model rotation invariance of the logits under quarter turns (eval mode, `discretize`,
 * default numerics): f(rotate90(x, k)) = f(x) for k = 1, 2, 3, to float32 round-off through
 * sin/cos (`tolerance('trig')`). Even image sizes keep the 2×2 pools aligned under rotation.
 */

import type { Implementation } from '@gcnn/group-conv';
import { checkEquivariance } from '@gcnn/group-conv/testing';
import { groupByName, type SampleCount } from '@gcnn/lie-groups';
import { tolerance } from '@gcnn/test-utils';
import type * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createModel } from './create-model';
import type { ModelConfig } from './model-config';

function smallConfig(
  group: 'SE2' | 'Sim2',
  sampleCount: SampleCount,
  implementation: Implementation,
  extra: Partial<ModelConfig> = {},
): ModelConfig {
  return {
    model: 'ckgresnet',
    group,
    maxScale: group === 'Sim2' ? 1.74 : undefined,
    sampleCount,
    sampling: 'uniform', // inference uses the grid regardless
    implementation,
    inChannels: 1,
    imageSize: 12,
    numClasses: 3,
    hiddenSizes: [4, 4, 8],
    kernelSize: 5,
    stride: 1,
    padding: true,
    pooling: true,
    normalization: 'batchnorm',
    dropout: 0.1,
    kernelNet: { hiddenSize: 16, numHidden: 1, firstOmega0: 10, omega0: 10 },
    seed: 11,
    ...extra,
  };
}

const CASES: Array<[string, ModelConfig]> = [
  ['SE(2) N=8 nonseparable', smallConfig('SE2', 8, 'nonseparable')],
  ['SE(2) N=8 separable', smallConfig('SE2', 8, 'separable')],
  ['SE(2) N=4 separable, 16×16', smallConfig('SE2', 4, 'separable', { imageSize: 16 })],
  ['Sim(2) [4,2] separable+2d', smallConfig('Sim2', [4, 2], 'separable+2d')],
  [
    'SE(2) N=4 ckgcnn dseparable, 32×32',
    smallConfig('SE2', 4, 'dseparable', { model: 'ckgcnn', imageSize: 32, dropout: 0 }),
  ],
];

describe('whole-model invariance of the logits under 90° rotations (default numerics)', () => {
  for (const [name, config] of CASES) {
    it(name, async () => {
      const model = createModel(config);
      const group = groupByName({ name: config.group, maxScale: config.maxScale });
      const report = await checkEquivariance(
        (x: tf.Tensor) => model.apply(x as tf.Tensor4D),
        group,
        {
          sampleCount: config.sampleCount,
          input: 'image',
          output: 'invariant',
          inputShape: [2, config.imageSize, config.imageSize, 1],
          seed: 5,
        },
      );
      console.info(`${name}: max rot90 error ${report.maxError.toExponential(2)}`);
      expect(report.maxError).toBeLessThanOrEqual(tolerance('trig'));
      model.dispose();
    });
  }
});
