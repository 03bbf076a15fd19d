/**
 * Model files (`model.json` + weights): a round trip gives the same logits; corrupt, truncated or
 * incomplete files are errors that say what is wrong, and no model is left behind.
 */
import { maxAbsDiff, testModelConfig, tolerance } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createModel } from './create-model';
import type { ModelConfig } from './model-config';
import { encodeModelFile, loadModelFromBuffers, validateModelFileJson } from './model-file';

const SMALL: ModelConfig = testModelConfig('ckgcnn');

async function exported() {
  const model = createModel(SMALL);
  // Make the weights differ from a fresh model of the same seed (incl. BatchNorm statistics).
  const shifted = Object.fromEntries(
    model.namedVariables().map(([n, v]) => [n, tf.tidy(() => tf.add(v, tf.scalar(0.01)))]),
  );
  model.setWeights(shifted);
  tf.dispose(Object.values(shifted));
  const file = await encodeModelFile(model, {
    normalization: { mean: [0.13], std: [0.297] },
    metadata: { dataset: 'mnist-rot' },
  });
  return { model, ...file };
}

const x = () => tf.randomUniform([2, 12, 12, 1], -1, 1, 'float32', 5) as tf.Tensor4D;

describe('model files', () => {
  it('round trip: same config, same variables, same logits; JSON text or value', async () => {
    const { model, json, bytes } = await exported();
    expect(json.format).toBe('gcnn-model');
    expect(json.modelTopology.version).toBe(2);
    const specs = json.weightsManifest[0]?.weights ?? [];
    expect(specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0)).toBe(
      bytes.length,
    );
    expect(specs.map((e) => e.name)).toEqual(model.namedVariables().map(([n]) => n));
    const text = JSON.stringify(json);
    const loaded = await loadModelFromBuffers(text, bytes.slice().buffer);
    const again = await loadModelFromBuffers(JSON.parse(text), bytes);
    const input = x();
    const [a, b, c] = [model.apply(input), loaded.model.apply(input), again.model.apply(input)];
    expect(await maxAbsDiff(a, b)).toBeLessThanOrEqual(tolerance('exact'));
    expect(await maxAbsDiff(a, c)).toBeLessThanOrEqual(tolerance('exact'));
    expect(loaded.model.config).toEqual(SMALL);
    expect(loaded.normalization).toEqual({ mean: [0.13], std: [0.297] });
    expect(loaded.metadata).toEqual({ dataset: 'mnist-rot' });
    tf.dispose([input, a, b, c]);
    for (const m of [model, loaded.model, again.model]) m.dispose();
  });

  it('a flipped byte, a truncated file, a missing entry or a wrong format is an error', async () => {
    const { model, json, bytes } = await exported();
    model.dispose();
    const before = tf.memory().numTensors;
    const flipped = bytes.slice();
    flipped[10] = (flipped[10] as number) ^ 1;
    await expect(loadModelFromBuffers(json, flipped, 'demo/model.json')).rejects.toThrow(
      /'demo\/model.json' expects weights with SHA-256 .* \(corrupt or replaced shard\)/,
    );
    await expect(loadModelFromBuffers(json, bytes.slice(0, 100))).rejects.toThrow(
      /ends at byte \d+, past the end of the 100 bytes of weights \(truncated or missing shard\?\)/,
    );
    const [first, ...rest] = json.weightsManifest[0]?.weights ?? [];
    const firstBytes = (first?.shape ?? []).reduce((a, b) => a * b, 1) * 4;
    const { weightsSha256: _, ...topology } = json.modelTopology;
    const missing = {
      ...json,
      modelTopology: topology,
      weightsManifest: [{ paths: ['model.weights.bin'], weights: rest }],
    };
    await expect(loadModelFromBuffers(missing, bytes.slice(firstBytes))).rejects.toThrow(
      `has no weights for model variable '${first?.name}'`,
    );
    expect(() => validateModelFileJson({ ...json, format: 'gcnn-checkpoint' })).toThrow(
      'has format "gcnn-checkpoint", expected "gcnn-model"',
    );
    expect(() => validateModelFileJson('{not json')).toThrow('is not valid JSON');
    expect(tf.memory().numTensors).toBe(before);
  });
});
