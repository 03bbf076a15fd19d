import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataset } from '@gcnn/datasets';
import { MODEL_PRESETS } from '@gcnn/models';
import type { TrainConfig } from '@gcnn/training';
import { afterAll, describe, expect, it } from 'vitest';
import { writeMainJobFiles } from './main-job-files';

const split = (
  name: string,
  count: number,
  images: Uint8Array | Float32Array = Uint8Array.from({ length: count * 12 }, (_, i) => i),
) =>
  createDataset({
    name,
    images,
    labels: Int32Array.from({ length: count }, (_, i) => i % 10),
    height: 2,
    width: 2,
    channels: 3,
    numClasses: 10,
  });
const train: TrainConfig = {
  epochs: 3,
  batchSize: 32,
  learningRate: 2e-3,
  optimizer: { name: 'adam', weightDecay: 0 },
  lrSchedule: { kind: 'cosine-steps', epochs: 3 },
  seed: 0,
  evalBatchSize: 100,
};
const normalization = { mean: [0.1, 0.2, 0.3], std: [1, 2, 3] };

describe('writeMainJobFiles', () => {
  const folder = mkdtempSync(join(tmpdir(), 'gcnn-main-job-files-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('writes raw uint8 images and labels and a job.json that names them', () => {
    const spec = {
      model: MODEL_PRESETS.default,
      train,
      trainSet: split('tr', 5),
      testSet: split('te', 3),
      normalization,
    };
    const path = writeMainJobFiles(folder, spec);
    expect(path).toBe(join(folder, 'job.json'));
    const job = JSON.parse(readFileSync(path, 'utf8'));
    expect(job).toEqual({
      model: JSON.parse(JSON.stringify(MODEL_PRESETS.default)),
      train,
      data: {
        height: 2,
        width: 2,
        channels: 3,
        numClasses: 10,
        normalization,
        train: { count: 5, images: 'train-images.u8', labels: 'train-labels.u8' },
        test: { count: 3, images: 'test-images.u8', labels: 'test-labels.u8' },
      },
    });
    expect([...readFileSync(join(folder, 'train-images.u8'))]).toEqual([...spec.trainSet.images]);
    expect([...readFileSync(join(folder, 'test-labels.u8'))]).toEqual([0, 1, 2]);
  });

  it('rejects float images and splits of different shapes', () => {
    const floats = split('f', 2, new Float32Array(24));
    expect(() =>
      writeMainJobFiles(folder, {
        model: MODEL_PRESETS.default,
        train,
        trainSet: floats,
        testSet: split('te', 1),
        normalization,
      }),
    ).toThrow(/train images of 'f' must be a Uint8Array \(0–255\), got Float32Array/);
    const other = createDataset({ ...split('o', 1), height: 3, width: 2, channels: 2 });
    expect(() =>
      writeMainJobFiles(folder, {
        model: MODEL_PRESETS.default,
        train,
        trainSet: split('tr', 1),
        testSet: other,
        normalization,
      }),
    ).toThrow(/train and test sets differ in height \(2 vs 3\)/);
  });
});
