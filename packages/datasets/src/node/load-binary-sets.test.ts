import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeCifar, encodeStl10Images, testBytes } from '../internal/format-writers';
import { makeTempDir } from './internal/temp-dir';
import { loadCifar10 } from './load-cifar10';
import { loadCifar100 } from './load-cifar100';
import { loadStl10 } from './load-stl10';

const tmp = makeTempDir();
afterAll(tmp.cleanup);

describe('CIFAR-10 / CIFAR-100 / STL-10 folders', () => {
  it('loadCifar10 concatenates the five train batches in order', () => {
    const dir = join(tmp.dir, 'cifar-10-batches-bin');
    mkdirSync(dir);
    const all = testBytes(5 * 3072, 31);
    for (let k = 1; k <= 5; k++)
      writeFileSync(
        join(dir, `data_batch_${k}.bin`),
        encodeCifar(all.subarray((k - 1) * 3072, k * 3072), [[k]]),
      );
    writeFileSync(join(dir, 'test_batch.bin'), encodeCifar(all.subarray(0, 3072), [[0]]));
    const train = loadCifar10({ dir, split: 'train' });
    expect([train.count, ...train.labels]).toEqual([5, 1, 2, 3, 4, 5]);
    expect(train.images).toEqual(all);
    expect(loadCifar10({ dir, split: 'test' }).count).toBe(1);
    writeFileSync(join(dir, 'data_batch_3.bin'), new Uint8Array(100));
    expect(() => loadCifar10({ dir, split: 'train' })).toThrow(
      /file '.*data_batch_3.bin' has 100 bytes/,
    );
  });

  it('loadCifar100 reads fine or coarse labels', () => {
    const dir = join(tmp.dir, 'cifar-100-binary');
    mkdirSync(dir);
    writeFileSync(join(dir, 'test.bin'), encodeCifar(testBytes(3072), [[7, 77]]));
    expect(loadCifar100({ dir, split: 'test' }).labels[0]).toBe(77);
    expect(loadCifar100({ dir, split: 'test', label: 'coarse' }).labels[0]).toBe(7);
    expect(() => loadCifar100({ dir, split: 'train' })).toThrow(
      /Error in loadCifar100: file '.*train.bin' does not exist/,
    );
  });

  it('loadStl10 reads X/y pairs', () => {
    const dir = join(tmp.dir, 'stl10_binary');
    mkdirSync(dir);
    const images = testBytes(96 * 96 * 3, 41);
    writeFileSync(join(dir, 'test_X.bin'), encodeStl10Images(images));
    writeFileSync(join(dir, 'test_y.bin'), new Uint8Array([6]));
    const d = loadStl10({ dir, split: 'test' });
    expect(d.images).toEqual(images);
    expect(d.labels[0]).toBe(5);
    writeFileSync(join(dir, 'test_y.bin'), new Uint8Array([11]));
    expect(() => loadStl10({ dir, split: 'test' })).toThrow(
      /file '.*test_y.bin' has label 11 at offset 0, expected a value in \[1, 10\]/,
    );
  });
});
