/** Names of the reference state dict map one-to-one onto a model's variables. */

import { loadFixture } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createModel } from './create-model';
import { fixtureModelConfig } from './fixture-model.test-helpers';
import {
  convertReferenceModelWeights,
  referenceModelParameterName,
} from './reference-model-weights';

describe('referenceModelParameterName', () => {
  it.each([
    ['lifting.kernel.cknet.net.net.0.linear.weight', 'lifting.kernel.sine.0.weight', true],
    ['layers.0.bn.running_var', 'layers.0.runningVar', false],
    [
      'layers.2.gconv_1.kernel.cknet_H.final_linear.bias',
      'layers.2.gconv1.kernelH.final.bias',
      false,
    ],
    [
      'layers.6.skip_align.kernel.cknet_SO2.net.net.1.linear.weight',
      'layers.6.skipAlign.kernelSO2.sine.1.weight',
      true,
    ],
    ['layers.6.normalisation_2.bn.weight', 'layers.6.norm2.weight', false],
    ['layers.10.depthwise_projection.weight', 'layers.10.projection', false],
    ['final_linear.0.weight', 'finalLinear.0.weight', true],
    ['final_linear.1.running_mean', 'finalLinear.1.runningMean', false],
    ['final_linear.4.bias', 'finalLinear.4.bias', false],
    ['final_linear.kernel.cknet_Rn.final_linear.weight', 'finalLinear.kernelRn.final.weight', true],
  ])('%s → %s', (reference, gcnn, transpose) => {
    expect(referenceModelParameterName(reference)).toEqual({ name: gcnn, transpose });
  });

  it('skips num_batches_tracked and rejects unknown names', () => {
    expect(referenceModelParameterName('layers.0.bn.num_batches_tracked')).toBeNull();
    expect(() => referenceModelParameterName('classifier.weight')).toThrow(
      /unknown reference parameter 'classifier.weight'/,
    );
    expect(() => referenceModelParameterName('layers.3.bn.momentum')).toThrow(
      /layers.3.bn.momentum/,
    );
  });

  it('a fixture state dict covers exactly the variables of the model built from its config', () => {
    for (const name of ['se2_ckgresnet_separable', 'sim2_ckgresnet_separable2d']) {
      const f = loadFixture(name);
      const model = createModel(fixtureModelConfig(f, 'reference'));
      const weights = convertReferenceModelWeights(f.parameters, f.buffers);
      expect(Object.keys(weights).sort()).toEqual(
        model
          .namedVariables()
          .map(([n]) => n)
          .sort(),
      );
      tf.dispose(Object.values(weights));
      model.dispose();
    }
  });
});
