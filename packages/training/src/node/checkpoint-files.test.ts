import { mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { encodeCheckpoint, type TrainProgress } from '../checkpoint';
import type { MetricsRecord } from '../metrics';
import { TinyClassifier } from '../test-model.test-helpers';
import { loadCheckpoint, saveCheckpoint } from './checkpoint-files';
import { openRunDirectory } from './run-directory';
import { useTempDirs } from './temp-dirs.test-helpers';

const tmp = useTempDirs('gcnn-ckpt-');

const progress = (step: number, epoch = 0): TrainProgress => ({
  epoch,
  nextBatch: step,
  step,
  epochStartRng: [1, 2, 3, 4],
  modelRng: 5,
  epochSums: { loss: 0, correct: 0, seen: 0, batches: 0 },
  best: null,
  finished: false,
});

async function save(dir: string, model: TinyClassifier, step: number) {
  const ck = await encodeCheckpoint({
    kind: 'last',
    weightsFile: `last-step${String(step).padStart(8, '0')}.weights.bin`,
    modelConfig: model.config,
    train: {
      epochs: 1,
      batchSize: 2,
      learningRate: 0.1,
      optimizer: { name: 'sgd' },
      lrSchedule: { kind: 'constant' },
      seed: 0,
    },
    progress: progress(step),
    optimizer: { name: 'sgd', step, config: {} },
    metrics: null,
    modelVariables: model.namedVariables(),
    optimizerSlots: [],
  });
  return saveCheckpoint(dir, ck);
}

describe('checkpoint files', () => {
  it('save atomically (manifest last, old weights removed) and load verified', async () => {
    const dir = tmp();
    const m = new TinyClassifier(4, 2, 1);
    await save(dir, m, 1);
    const manifestPath = await save(dir, m, 2);
    expect(readdirSync(dir).sort()).toEqual(['last-step00000002.weights.bin', 'last.json']);
    const loaded = await loadCheckpoint(dir);
    expect(loaded.path).toBe(manifestPath);
    expect(loaded.manifest.progress.step).toBe(2);
    expect(Object.keys(loaded.model)).toEqual(['w1', 'b1', 'w2', 'runningMean']);
    tf.dispose(Object.values(loaded.model));
    m.dispose();
  });

  it('a flipped byte, a truncated weights file, a truncated manifest or a missing entry is reported with the file name', async () => {
    const m = new TinyClassifier(4, 2, 1);
    const before = tf.memory().numTensors;
    const dir = tmp();
    await save(dir, m, 3);
    const weights = join(dir, 'last-step00000003.weights.bin');
    const bytes = readFileSync(weights);
    bytes[5] = (bytes[5] as number) ^ 0x80;
    writeFileSync(weights, bytes);
    await expect(loadCheckpoint(dir)).rejects.toThrow(
      new RegExp(`weights file '${weights}' has SHA-256`),
    );
    truncateSync(weights, 10);
    await expect(loadCheckpoint(dir)).rejects.toThrow(
      /has 10 bytes, the manifest expects \d+ \(truncated or replaced\)/,
    );
    const manifest = join(dir, 'last.json');
    const text = readFileSync(manifest, 'utf8');
    writeFileSync(manifest, text.slice(0, 50));
    await expect(loadCheckpoint(dir)).rejects.toThrow(
      new RegExp(`manifest '${manifest}' is not valid JSON`),
    );
    const json = JSON.parse(text);
    delete json.weights;
    writeFileSync(manifest, JSON.stringify(json));
    await expect(loadCheckpoint(manifest)).rejects.toThrow(
      /entry 'weights' is undefined, expected an object/,
    );
    await expect(loadCheckpoint(join(dir, 'nope'))).rejects.toThrow(/does not exist/);
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('a failed write names the file; the previous checkpoint stays loadable', async () => {
    const dir = tmp();
    const m = new TinyClassifier(4, 2, 1);
    await save(dir, m, 1);
    // A folder where the weights file goes: the write fails, as on a full disk.
    const weights = join(dir, 'last-step00000002.weights.bin');
    mkdirSync(weights);
    await expect(save(dir, m, 2)).rejects.toThrow(
      `cannot write '${weights}': it is a folder (EISDIR); the previous last checkpoint ('${join(dir, 'last.json')}') is unchanged`,
    );
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    const loaded = await loadCheckpoint(dir);
    expect(loaded.manifest.progress.step).toBe(1);
    tf.dispose(Object.values(loaded.model));
    m.dispose();
  });

  it('RunDirectory truncates metrics to what precedes a checkpoint and ignores a torn last line', async () => {
    const run = openRunDirectory(tmp(), { mode: 'new' });
    const step = (s: number, epoch: number): MetricsRecord => ({
      type: 'step',
      epoch,
      step: s,
      batch: s,
      lr: 1,
      loss: 1,
      batchAccuracy: 0,
      time: { elapsedSeconds: 0 },
    });
    for (const r of [step(1, 0), step(2, 0), step(3, 1), step(4, 1)]) await run.metrics(r);
    writeFileSync(
      run.path('metrics.jsonl'),
      `${readFileSync(run.path('metrics.jsonl'), 'utf8')}{"type":"st`,
    );
    run.truncateMetrics(progress(3, 1));
    expect(run.readMetrics().map((r) => r.step)).toEqual([1, 2, 3]);
    run.close();
  });
});
