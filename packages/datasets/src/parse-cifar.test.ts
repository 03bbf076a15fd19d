import { describe, expect, it } from 'vitest';
import { encodeCifar, testBytes } from './internal/format-writers';
import { parseCifar } from './parse-cifar';

describe('parseCifar', () => {
  const images = testBytes(2 * 3072, 3);

  it('reads CIFAR-10 records into HWC', () => {
    const d = parseCifar(encodeCifar(images, [[3], [9]]), { variant: 'cifar10' });
    expect([d.count, d.height, d.width, d.channels, d.numClasses]).toEqual([2, 32, 32, 3, 10]);
    expect(d.images).toEqual(images);
    expect(Array.from(d.labels)).toEqual([3, 9]);
  });

  it('reads CIFAR-100 fine (default) or coarse labels', () => {
    const bin = encodeCifar(images, [
      [4, 99],
      [19, 0],
    ]);
    expect(Array.from(parseCifar(bin, { variant: 'cifar100' }).labels)).toEqual([99, 0]);
    const coarse = parseCifar(bin, { variant: 'cifar100', label: 'coarse' });
    expect([coarse.numClasses, ...coarse.labels]).toEqual([20, 4, 19]);
  });

  it('rejects truncated files and bad labels, naming file and offset', () => {
    const bin = encodeCifar(images, [[3], [9]]);
    expect(() => parseCifar(bin.subarray(0, 5000), { variant: 'cifar10', file: 'b.bin' })).toThrow(
      /file 'b.bin' has 5000 bytes, expected a positive multiple of the cifar10 record size 3073 .* record starting at offset 3073 is incomplete/,
    );
    const bad = bin.slice();
    bad[3073] = 10;
    expect(() => parseCifar(bad, { variant: 'cifar10', file: 'b.bin' })).toThrow(
      "Error in parseCifar: file 'b.bin' has label 10 at offset 3073 (record 1), expected a value in [0, 10)",
    );
    const bad100 = encodeCifar(images, [
      [20, 1],
      [0, 1],
    ]);
    expect(() => parseCifar(bad100, { variant: 'cifar100', file: 'c.bin' })).toThrow(
      /label 20 at offset 0 \(record 0\), expected a value in \[0, 20\)/,
    );
  });
});
