import { describe, expect, it } from 'vitest';
import { concatDatasets } from './concat-datasets';
import { createDataset } from './dataset';
import { splitDataset } from './split-dataset';
import { subsetDataset } from './subset-dataset';

const make = (name: string, n: number, offset = 0) =>
  createDataset({
    name,
    images: Uint8Array.from({ length: n * 4 }, (_, i) => i + offset),
    labels: Uint8Array.from({ length: n }, (_, i) => (i + offset) % 2),
    height: 2,
    width: 2,
    channels: 1,
    numClasses: 2,
  });

describe('Dataset helpers', () => {
  it('createDataset checks sizes and label ranges', () => {
    expect(() => createDataset({ ...make('a', 2), labels: new Uint8Array([0, 2]) })).toThrow(
      "Error in createDataset: dataset 'a' has label 2 at index 1, expected a value in [0, 2)",
    );
    expect(() => createDataset({ ...make('a', 2), images: new Uint8Array(7) })).toThrow(
      /has 7 image values, expected/,
    );
  });

  it('subset copies in the given order; split gives consecutive views; concat joins', () => {
    const d = make('d', 5);
    const s = subsetDataset(d, [4, 0]);
    expect(Array.from(s.images.subarray(0, 4))).toEqual([16, 17, 18, 19]);
    expect(Array.from(s.labels)).toEqual([0, 0]);
    const [a, b] = splitDataset(d, [4, 1], ['train', 'test']);
    expect([a?.count, b?.count, b?.name, b?.images[0]]).toEqual([4, 1, 'd-test', 16]);
    expect(() => splitDataset(d, [4, 2])).toThrow(/Error in splitDataset/);
    const c = concatDatasets([make('x', 2), make('y', 1, 8)], 'xy');
    expect([c.count, c.images[8], c.labels[2]]).toEqual([3, 8, 0]);
    expect(() => subsetDataset(d, [5])).toThrow(/out of range/);
  });
});
