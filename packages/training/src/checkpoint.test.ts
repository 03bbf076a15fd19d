import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  decodeCheckpoint,
  encodeCheckpoint,
  loadModelWeights,
  type TrainProgress,
} from './checkpoint';
import { TinyClassifier } from './test-model.test-helpers';

const progress: TrainProgress = {
  epoch: 0,
  nextBatch: 1,
  step: 1,
  epochStartRng: [1, 2, 3, 4],
  modelRng: 5,
  epochSums: { loss: 1, correct: 1, seen: 2, batches: 1 },
  best: null,
  finished: false,
};

const FILES = { manifest: 'last.json', weights: 'w.bin' };

async function encoded(model: TinyClassifier) {
  return encodeCheckpoint({
    kind: 'last',
    weightsFile: 'last-step00000001.weights.bin',
    modelConfig: model.config,
    train: {
      epochs: 1,
      batchSize: 2,
      learningRate: 0.1,
      optimizer: { name: 'sgd' },
      lrSchedule: { kind: 'constant' },
      seed: 0,
    },
    progress,
    optimizer: { name: 'sgd', step: 1, config: {} },
    metrics: null,
    modelVariables: model.namedVariables(),
    optimizerSlots: [],
  });
}

describe('checkpoints', () => {
  it('round-trip every variable bit-exactly, with a SHA-256 of the weights', async () => {
    const a = new TinyClassifier(4, 2, 1);
    const ck = await encoded(a);
    expect(ck.manifest.weights.sha256).toMatch(/^[0-9a-f]{64}$/);
    const loaded = await decodeCheckpoint(ck.manifest, ck.bytes);
    const b = new TinyClassifier(4, 2, 2);
    loadModelWeights(b, loaded, 'mem');
    for (const [[na, va], [nb, vb]] of a
      .namedVariables()
      .map((x, i) => [x, b.namedVariables()[i]!] as const)) {
      expect(nb).toBe(na);
      expect(Array.from(await vb.data())).toEqual(Array.from(await va.data()));
    }
    tf.dispose(Object.values(loaded.model));
    a.dispose();
    b.dispose();
  });

  it('reports a flipped byte, a truncated file and a missing entry naming the file, and loads nothing', async () => {
    const a = new TinyClassifier(4, 2, 1);
    const ck = await encoded(a);
    const before = tf.memory().numTensors;
    const flipped = ck.bytes.slice();
    flipped[10] = (flipped[10] as number) ^ 0x01;
    await expect(decodeCheckpoint(ck.manifest, flipped, FILES)).rejects.toThrow(
      /weights file 'w.bin' has SHA-256 .* expects/,
    );
    await expect(decodeCheckpoint(ck.manifest, ck.bytes.slice(0, 20), FILES)).rejects.toThrow(
      /'w.bin' has 20 bytes, the manifest expects \d+ \(truncated/,
    );
    expect(tf.memory().numTensors).toBe(before);
    const loaded = await decodeCheckpoint(ck.manifest, ck.bytes);
    const first = Object.keys(loaded.model)[0] as string;
    loaded.model[first]?.dispose();
    delete loaded.model[first];
    expect(() => loadModelWeights(a, loaded, 'ckpt.json')).toThrow(
      /'ckpt.json' has no entry for model variable\(s\) 'w1'/,
    );
    tf.dispose(Object.values(loaded.model));
    a.dispose();
  });
});
