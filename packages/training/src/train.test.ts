import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, type EncodedCheckpoint } from './checkpoint';
import type { MetricsRecord } from './metrics';
import { recordPrecedes } from './metrics';
import { memorySink, TinyClassifier, toyTrainOptions } from './test-model.test-helpers';
import { type TrainOptions, train } from './train';
import type { TrainConfig } from './train-config';

const CONFIG: TrainConfig = {
  epochs: 2,
  batchSize: 8,
  learningRate: 0.05,
  optimizer: { name: 'adam', weightDecay: 1e-4 },
  lrSchedule: { kind: 'cosine', epochs: 2 },
  seed: 7,
  printInterval: 1,
  checkpointEvery: 2,
};

const withoutTime = (rs: MetricsRecord[]) => rs.map(({ time: _t, ...rest }) => rest);

describe('train', () => {
  const base = (model: TinyClassifier, extra: Partial<TrainOptions> = {}) =>
    toyTrainOptions(model, CONFIG, extra);

  it('learns, writes step/epoch records and last/best checkpoints, and is reproducible from the seed', async () => {
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const model = new TinyClassifier(16, 3, 5);
      const mem = memorySink();
      const result = await train(base(model, { sink: mem.sink }));
      runs.push({ mem, result });
      model.dispose();
    }
    const [a, b] = runs as [(typeof runs)[0], (typeof runs)[0]];
    expect(withoutTime(a.mem.records)).toEqual(withoutTime(b.mem.records));
    const epochs = a.mem.records.filter((r) => r.type === 'epoch');
    expect(epochs).toHaveLength(2);
    expect(a.mem.records.filter((r) => r.type === 'step')).toHaveLength(10); // 5 batches × 2 epochs
    expect(a.result.final?.testAccuracy).toBeGreaterThan(0.6);
    expect(a.result.progress).toMatchObject({ epoch: 2, step: 10, finished: true });
    const kinds = a.mem.checkpoints.map((c) => `${c.manifest.kind}@${c.manifest.progress.step}`);
    // mid-epoch lasts at steps 2, 4 (epoch 1 ends at step 5), 6, 8; epoch-end lasts at 5, 10; best when improved
    expect(kinds.filter((k) => k.startsWith('last'))).toEqual([
      'last@2',
      'last@4',
      'last@5',
      'last@6',
      'last@8',
      'last@10',
    ]);
    expect(kinds.some((k) => k.startsWith('best'))).toBe(true);
  });

  it('resumes from a mid-epoch checkpoint and writes exactly the records of an uninterrupted run', async () => {
    const model = new TinyClassifier(16, 3, 5);
    const full = memorySink();
    await train(base(model, { sink: full.sink }));
    model.dispose();
    // "Kill" after step 6: take the checkpoint written at step 6 (epoch 2, batch 1).
    const mid = full.checkpoints.find(
      (c) => c.manifest.kind === 'last' && c.manifest.progress.step === 6,
    );
    expect(mid?.manifest.progress).toMatchObject({ epoch: 1, nextBatch: 1, step: 6 });
    const loaded = await decodeCheckpoint(mid!.manifest, mid!.bytes);
    const fresh = new TinyClassifier(16, 3, 99); // different init: everything must come from the checkpoint
    const resumed = memorySink();
    await train(base(fresh, { sink: resumed.sink, resume: loaded }));
    fresh.dispose();
    tf.dispose([...Object.values(loaded.model), ...Object.values(loaded.optimizer)]);
    const kept = full.records.filter((r) => recordPrecedes(r, mid!.manifest.progress));
    expect(withoutTime([...kept, ...resumed.records])).toEqual(withoutTime(full.records));
    // And the final weights are bit-identical.
    const last = (m: { checkpoints: EncodedCheckpoint[] }) =>
      m.checkpoints.filter((c) => c.manifest.kind === 'last').at(-1)!;
    expect(last(resumed).manifest.weights.sha256).toBe(last(full).manifest.weights.sha256);
  });

  it('stops at maxSteps with a partial epoch record, evaluates only when asked (evalEvery 0)', async () => {
    const model = new TinyClassifier(16, 3, 5);
    const mem = memorySink();
    const r = await train(
      base(model, { sink: mem.sink, config: { ...CONFIG, maxSteps: 3, evalEvery: 0 } }),
    );
    model.dispose();
    expect(r.progress).toMatchObject({ epoch: 0, nextBatch: 3, step: 3 });
    expect(r.final).toMatchObject({ partial: true, step: 3 });
    expect(r.final?.testAccuracy).not.toBeNull();
    const model2 = new TinyClassifier(16, 3, 5);
    const r2 = await train(base(model2, { config: { ...CONFIG, evalEvery: 0 } }));
    model2.dispose();
    expect(r2.epochs.map((e) => e.testAccuracy === null)).toEqual([true, false]);
  });

  it('rejects bad configs naming the field', async () => {
    const model = new TinyClassifier(16, 3, 5);
    await expect(train(base(model, { config: { ...CONFIG, batchSize: 0 } }))).rejects.toThrow(
      /config.batchSize must be a positive integer/,
    );
    model.dispose();
  });
});
