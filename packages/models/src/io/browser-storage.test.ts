/**
 * `saveModel`/`loadModel` through the browser's tf.io handlers: `indexeddb://` (and
 * `localstorage://` for a small model) round trips are bit-identical for every preset and
 * implementation. Runs in the Chromium suites (webgl, webgpu); skipped in Node, which has neither.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { loadModel, saveModel } from './model-io';
import {
  expectSameLogits,
  expectSameWeights,
  implementationConfig,
  perturbedModel,
  ROUND_TRIP_CONFIGS,
} from './round-trip.test-helpers';

const IN_BROWSER = typeof indexedDB !== 'undefined';

describe.skipIf(!IN_BROWSER)('browser storage round trips', () => {
  for (const [name, config] of ROUND_TRIP_CONFIGS) {
    it(`indexeddb:// ${name}: bit-identical weights`, async () => {
      const model = perturbedModel(config);
      const url = `indexeddb://gcnn-test-${name.replace(/\W+/g, '-')}`;
      await saveModel(model, url, { normalization: { mean: [0.1], std: [0.3] } });
      const loaded = await loadModel(url);
      expect(loaded.model.config).toEqual(config);
      expect(loaded.normalization).toEqual({ mean: [0.1], std: [0.3] });
      await expectSameWeights(model, loaded.model);
      if (config.imageSize <= 12) await expectSameLogits(model, loaded.model);
      model.dispose();
      loaded.model.dispose();
      await tf.io.removeModel(url);
    });
  }

  it('localstorage:// a small model', async () => {
    const model = perturbedModel(implementationConfig('separable'));
    await saveModel(model, 'localstorage://gcnn-test');
    const loaded = await loadModel('localstorage://gcnn-test');
    await expectSameWeights(model, loaded.model);
    model.dispose();
    loaded.model.dispose();
    await tf.io.removeModel('localstorage://gcnn-test');
  });
});
