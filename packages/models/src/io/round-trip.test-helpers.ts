import { IMPLEMENTATIONS } from '@gcnn/group-conv';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { createModel } from '../create-model';
import type { GroupClassifier } from '../group-classifier';
import type { ModelConfig } from '../model-config';
import { MODEL_PRESETS } from '../model-presets';

/** A small model of every implementation (Sim(2) 4×2 for the "+2d" ones, SE(2) N = 4 else). */
export function implementationConfig(
  implementation: (typeof IMPLEMENTATIONS)[number],
): ModelConfig {
  const twoSubgroup = implementation.endsWith('+2d') /* Sim(2) only */;
  return {
    model: 'ckgresnet',
    group: twoSubgroup ? 'Sim2' : 'SE2',
    ...(twoSubgroup ? { maxScale: 1.5 } : {}),
    sampleCount: twoSubgroup ? [4, 2] : 4,
    sampling: 'discretize',
    implementation,
    inChannels: 1,
    imageSize: 12,
    numClasses: 3,
    hiddenSizes: [3, 4],
    kernelSize: 3,
    stride: 1,
    padding: true,
    pooling: false,
    normalization: 'batchnorm',
    dropout: 0,
    kernelNet: { hiddenSize: 6, numHidden: 1, firstOmega0: 10, omega0: 10 },
    seed: 7,
  };
}

/** Every preset and a small model of every implementation, by name. */
export const ROUND_TRIP_CONFIGS: ReadonlyArray<readonly [string, ModelConfig]> = [
  ...Object.entries(MODEL_PRESETS).map(([n, c]) => [`preset ${n}`, c] as const),
  ...IMPLEMENTATIONS.map((i) => [`implementation ${i}`, implementationConfig(i)] as const),
];

/** `createModel(config)` whose weights (BatchNorm statistics included) differ from a fresh one's. */
export function perturbedModel(config: ModelConfig): GroupClassifier {
  const model = createModel(config);
  const shifted = Object.fromEntries(
    model
      .namedVariables()
      .map(([n, v], i) => [n, tf.tidy(() => tf.add(v, tf.scalar(0.001 * ((i % 7) + 1))))]),
  );
  model.setWeights(shifted);
  tf.dispose(Object.values(shifted));
  return model;
}

/** Same variable names, shapes, dtypes and bit-identical values. */
export async function expectSameWeights(a: GroupClassifier, b: GroupClassifier): Promise<void> {
  const [va, vb] = [a.namedVariables(), b.namedVariables()];
  expect(vb.map(([n, v]) => [n, v.shape, v.dtype])).toEqual(
    va.map(([n, v]) => [n, v.shape, v.dtype]),
  );
  for (const [i, [name, v]] of va.entries()) {
    const [x, y] = await Promise.all([v.data(), (vb[i] as [string, tf.Variable])[1].data()]);
    const bits = (t: typeof x) => new Uint32Array(new Float32Array(t).buffer);
    expect(bits(y), name).toEqual(bits(x));
  }
}

/** Logits of both models on one seeded image batch `[1, s, s, c]` must be identical. */
export async function expectSameLogits(a: GroupClassifier, b: GroupClassifier): Promise<void> {
  const { imageSize: s, inChannels: c } = a.config;
  const x = tf.randomUniform([1, s, s, c], 0, 1, 'float32', 3) as tf.Tensor4D;
  const [ya, yb] = [a.apply(x), b.apply(x)];
  expect(Array.from(await yb.data())).toEqual(Array.from(await ya.data()));
  tf.dispose([x, ya, yb]);
}
