/**
 * `freezeModel`: the frozen graph, run by tfjs-converter's `loadGraphModel`, gives gcnn's logits
 * (≤ 1e-5 relative) for every implementation and preset, for any batch size, with the input
 * normalization folded in.
 */
import { IMPLEMENTATIONS } from '@gcnn/group-conv';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import digits from '../../../../examples/browser-demo/public/digits.json';
import { loadModel } from '../io/model-io';
import { implementationConfig, perturbedModel } from '../io/round-trip.test-helpers';
import type { ModelConfig } from '../model-config';
import { MODEL_PRESETS } from '../model-presets';
import { freezeModel, GRAPH_INPUT, GRAPH_OUTPUT } from './freeze-model';

const NORMALIZATION = { mean: [0.13], std: [0.3] };

/** max |a − b| / max |a| over all logits. */
async function relativeError(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [x, y] = await Promise.all([a.data(), b.data()]);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < x.length; i++) {
    diff = Math.max(diff, Math.abs((x[i] as number) - (y[i] as number)));
    scale = Math.max(scale, Math.abs(x[i] as number));
  }
  return diff / scale;
}

async function expectFrozenMatches(config: ModelConfig, batches: number[]) {
  const model = perturbedModel(config);
  const artifacts = await freezeModel(model, { normalization: NORMALIZATION });
  const graph = await loadGraphModel(tf.io.fromMemory(artifacts));
  const { imageSize: s } = config;
  for (const batch of batches) {
    const pixels = tf.randomUniform([batch, s, s, 1], 0, 1, 'float32', batch) as tf.Tensor4D;
    const expected = tf.tidy(() =>
      model.apply(tf.div(tf.sub(pixels, NORMALIZATION.mean), NORMALIZATION.std) as tf.Tensor4D),
    );
    const got = graph.execute({ [GRAPH_INPUT]: pixels }, GRAPH_OUTPUT) as tf.Tensor;
    expect(got.shape).toEqual([batch, config.numClasses]);
    expect(await relativeError(expected, got)).toBeLessThanOrEqual(1e-5);
    tf.dispose([pixels, expected, got]);
  }
  graph.dispose();
  model.dispose();
}

describe('freezeModel', () => {
  for (const implementation of IMPLEMENTATIONS) {
    it(`${implementation}: loadGraphModel runs it with gcnn's logits, any batch size`, async () => {
      await expectFrozenMatches(implementationConfig(implementation), [1, 3]);
    });
  }
  for (const model of ['ckgcnn', 'ckgallcnnc'] as const) {
    for (const normalization of ['layernorm', 'instancenorm'] as const) {
      it(`${model} with ${normalization}`, async () => {
        const config: ModelConfig = {
          ...implementationConfig('separable'),
          model,
          normalization,
          imageSize: 16,
          pooling: true,
          ...(model === 'ckgallcnnc' ? { widenFactor: 0.05 } : {}),
        };
        await expectFrozenMatches(config, [2]);
      });
    }
  }
  it("the default preset (the browser demo's model)", async () => {
    await expectFrozenMatches(MODEL_PRESETS.default, [2]);
  });
});

// In Chromium: the browser demo's trained model, fetched over http (tf.io.http; its version-1
// file upgraded on the way), frozen, and run by tfjs-converter on the demo's MNIST-rot test digits.
describe.skipIf(typeof window === 'undefined')('the demo model frozen in the browser', () => {
  it("loadGraphModel gives gcnn's logits on the MNIST-rot test digits", async () => {
    // The vitest browser server serves the repository's files by path.
    const url = new URL('/examples/browser-demo/public/model/model.json', window.location.href);
    const loaded = await loadModel(url.href);
    const artifacts = await freezeModel(loaded.model, { normalization: loaded.normalization });
    const graph = await loadGraphModel(tf.io.fromMemory(artifacts));
    const pixels: number[] = [];
    for (const d of digits.digits)
      for (const c of atob(d.pixels)) pixels.push(c.charCodeAt(0) / 255);
    const x = tf.tensor4d(pixels, [digits.digits.length, 28, 28, 1]);
    const [expected, got] = [loaded.predict(x), graph.predict(x) as tf.Tensor];
    expect(await relativeError(expected, got)).toBeLessThanOrEqual(1e-5);
    const argmax = tf.argMax(got, 1);
    const labels = await argmax.data();
    expect(digits.digits.filter((d, i) => d.label === labels[i]).length).toBeGreaterThanOrEqual(9);
    tf.dispose([x, expected, got, argmax]);
    graph.dispose();
    loaded.model.dispose();
  });
});
