import { Xoshiro128 } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { batches } from './batches';
import { createDataset } from './dataset';
import { randomHorizontalFlip } from './random-horizontal-flip';
import { toBatch } from './to-batch';

const ds = createDataset({
  name: 'toy',
  images: Uint8Array.from({ length: 10 * 2 * 3 * 2 }, (_, i) => i % 256),
  labels: Uint8Array.from({ length: 10 }, (_, i) => i % 3),
  height: 2,
  width: 3,
  channels: 2,
  numClasses: 3,
});

describe('toBatch', () => {
  it('builds NHWC float32 xs and int32 ys, normalized per channel', async () => {
    const { xs, ys, indices } = toBatch(ds, [4, 1], {
      normalization: { mean: [0.5, 0], std: [0.5, 2] },
    });
    expect(xs.shape).toEqual([2, 2, 3, 2]);
    expect(xs.dtype).toBe('float32');
    expect(ys.dtype).toBe('int32');
    expect(Array.from(await ys.data())).toEqual([1, 1]);
    expect(Array.from(indices)).toEqual([4, 1]);
    const x = await xs.data();
    const raw0 = ds.images[4 * 12] as number;
    const raw1 = ds.images[4 * 12 + 1] as number;
    expect(x[0]).toBeCloseTo((raw0 / 255 - 0.5) / 0.5, 6);
    expect(x[1]).toBeCloseTo(raw1 / 255 / 2, 6);
    tf.dispose([xs, ys]);
  });

  it('rejects out-of-range indices and mismatched normalization', () => {
    expect(() => toBatch(ds, [10])).toThrow(/indices\[0\] = 10 is out of range/);
    expect(() => toBatch(ds, [0], { normalization: { mean: [0], std: [1] } })).toThrow(
      /expected 2 \(channels/,
    );
    expect(() => toBatch(ds, [0], { augmentations: [randomHorizontalFlip()] })).toThrow(
      /need options.rng/,
    );
  });
});

describe('batches', () => {
  it('covers the set once, lazily, in order without rng', () => {
    const seen: number[] = [];
    const sizes: number[] = [];
    for (const b of batches(ds, { batchSize: 4 })) {
      seen.push(...b.indices);
      sizes.push(b.xs.shape[0]);
      tf.dispose([b.xs, b.ys]);
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(sizes).toEqual([4, 4, 2]);
    let n = 0;
    for (const b of batches(ds, { batchSize: 4, dropRemainder: true })) {
      n++;
      tf.dispose([b.xs, b.ys]);
    }
    expect(n).toBe(2);
  });

  it('shuffles with a seeded rng and resumes exactly from a saved state and batch index', async () => {
    const opts = { batchSize: 3, augmentations: [randomHorizontalFlip()] };
    const rng = new Xoshiro128(5);
    const state = rng.getState();
    const full: { idx: number[]; x: number[] }[] = [];
    for (const b of batches(ds, { ...opts, rng })) {
      full.push({ idx: Array.from(b.indices), x: Array.from(await b.xs.data()) });
      tf.dispose([b.xs, b.ys]);
    }
    expect(full.flatMap((b) => b.idx).sort((a, b) => a - b)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    expect(full.flatMap((b) => b.idx)).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const after = rng.getState();
    const resumed = new Xoshiro128(0);
    resumed.setState(state);
    const rest: { idx: number[]; x: number[] }[] = [];
    for (const b of batches(ds, { ...opts, rng: resumed, startBatch: 2 })) {
      rest.push({ idx: Array.from(b.indices), x: Array.from(await b.xs.data()) });
      tf.dispose([b.xs, b.ys]);
    }
    expect(rest).toEqual(full.slice(2));
    expect(resumed.getState()).toEqual(after);
  });

  it('leaves no tensors behind when the caller disposes each batch', () => {
    const before = tf.memory().numTensors;
    for (const b of batches(ds, { batchSize: 2, rng: new Xoshiro128(1) })) tf.dispose([b.xs, b.ys]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
