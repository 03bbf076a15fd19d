import type { Compatibility, Implementation } from '@gcnn/group-conv';
import type { ReferenceFixture } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { createModel } from './create-model';
import type { GroupClassifier } from './group-classifier';
import type { ModelConfig } from './model-config';
import { loadReferenceWeights } from './reference-model-weights';

/** The gcnn config of a reference network fixture (`CKGResNet`, eval, discretised elements). */
export function fixtureModelConfig(f: ReferenceFixture, compatibility: Compatibility): ModelConfig {
  const c = f.config as ReferenceFixture['config'] & Record<string, number | boolean | number[]>;
  return {
    model: 'ckgresnet',
    group: c.group,
    maxScale: c.max_scale ?? undefined,
    sampleCount: c.group === 'Sim2' ? [c.R!, c.S!] : c.R!,
    sampling: 'discretize',
    implementation: c.implementation as Implementation,
    inChannels: Number(c.in_channels),
    imageSize: Number(c.spatial_in_size),
    numClasses: Number(c.out_channels),
    hiddenSizes: c.hidden_sizes as number[],
    kernelSize: c.kernel_size,
    stride: Number(c.stride),
    padding: Boolean(c.padding),
    pooling: Boolean(c.pooling),
    normalization: 'batchnorm',
    dropout: Number(c.dropout),
    kernelNet: {
      hiddenSize: Number(c.ck_net_hidden_size),
      numHidden: Number(c.ck_net_num_hidden),
      firstOmega0: Number(c.first_omega_0),
      omega0: Number(c.omega_0),
    },
    compatibility,
    seed: 0,
  };
}

/** A model built from a network fixture's config with the fixture's weights loaded. */
export function fixtureModel(f: ReferenceFixture, compatibility: Compatibility): GroupClassifier {
  const model = createModel(fixtureModelConfig(f, compatibility));
  loadReferenceWeights(model, f.parameters, f.buffers ?? []);
  return model;
}

/** The fixture's input `[N, C, H, W]` as gcnn images `[N, H, W, C]`. */
export function fixtureImages(f: ReferenceFixture): tf.Tensor4D {
  return tf.tidy(() => {
    const nchw: tf.Tensor = tf.tensor(Float32Array.from(f.input.values), f.input.shape);
    return tf.transpose(nchw, [0, 2, 3, 1]) as tf.Tensor4D;
  });
}
