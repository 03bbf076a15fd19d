/**
 * One training step of each README configuration (small sizes) gives the same loss and gradients
 * on this suite's backend as on the cpu backend, within the backend's tolerance.
 */

import { createRng } from '@gcnn/lie-groups';
import { knownGap, relativeL2, testBackend, tolerance } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createModel } from './create-model';
import type { ModelConfig } from './model-config';
import { MODEL_PRESETS, type ModelPresetName } from './model-presets';

const README_PRESETS: ModelPresetName[] = ['se2-nonseparable', 'se2-separable', 'sim2-separable2d'];

/** The README configuration shrunk to test size: same group, sampling and factorisation. */
function small(name: ModelPresetName): ModelConfig {
  const preset = MODEL_PRESETS[name];
  return {
    ...preset,
    sampleCount: preset.group === 'Sim2' ? [4, 2] : 4,
    imageSize: 12,
    numClasses: 3,
    hiddenSizes: [4, 4, 8],
    kernelSize: 5,
    kernelNet: { ...preset.kernelNet, hiddenSize: 8 },
    seed: 11,
  };
}

/** Loss and gradients of one step, read back as plain arrays. */
async function step(config: ModelConfig) {
  const model = createModel(config);
  const rng = createRng(5);
  const images = tf.tidy(() => tf.randomUniform([4, 12, 12, 1], 0, 1, 'float32', 3)) as tf.Tensor4D;
  const labels = tf.tensor1d([0, 1, 2, 1], 'int32');
  const named = model.namedVariables().filter(([, v]) => v.trainable);
  const { value, grads } = tf.variableGrads(
    () =>
      tf.tidy(() =>
        tf.losses.softmaxCrossEntropy(
          tf.oneHot(labels, 3),
          model.apply(images, { training: true, rng }),
        ),
      ) as tf.Scalar,
    named.map(([, v]) => v),
  );
  const loss = (await value.data())[0]!;
  const gradients = new Map<string, Float32Array>();
  for (const [name, v] of named) gradients.set(name, (await grads[v.name]!.data()) as Float32Array);
  tf.dispose([value, images, labels, ...Object.values(grads)]);
  model.dispose();
  return { loss, gradients };
}

const backend = testBackend();

const gap = knownGap('models/cross-backend-training-step', backend);
if (gap) console.warn(`known gap on ${backend}: ${gap}`);

// Compares this suite's backend with cpu; in the cpu suite there is nothing to compare.
describe.skipIf(backend === 'cpu' || gap !== undefined)(
  `one training step: ${backend} vs cpu`,
  () => {
    for (const name of README_PRESETS) {
      it(`${name} (small): same loss and gradients`, async () => {
        const config = small(name);
        const here = await step(config);
        await tf.setBackend('cpu');
        let reference: Awaited<ReturnType<typeof step>>;
        try {
          reference = await step(config);
        } finally {
          await tf.setBackend(backend);
        }
        const bound = tolerance('network');
        expect(Math.abs(here.loss - reference.loss) / Math.abs(reference.loss)).toBeLessThanOrEqual(
          bound,
        );
        const all = (m: Map<string, Float32Array>) =>
          Float32Array.from([...m.values()].flatMap((a) => Array.from(a)));
        const total = all(reference.gradients);
        expect(await relativeL2(all(here.gradients), total)).toBeLessThanOrEqual(bound);
        // Per weight, measured against the whole gradient's norm: a weight whose own gradient is
        // near zero (e.g. the last norm's bias under a global max) is all round-off relative to itself.
        const norm = Math.hypot(...total);
        for (const [n, g] of reference.gradients) {
          const d = Math.hypot(...g.map((v, i) => v - here.gradients.get(n)![i]!));
          expect(d / norm, n).toBeLessThanOrEqual(bound);
        }
      });
    }
  },
);
