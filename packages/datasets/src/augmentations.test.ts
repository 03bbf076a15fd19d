import { Xoshiro128 } from '@gcnn/lie-groups';
import { describe, expect, it } from 'vitest';
import { cutout } from './cutout';
import { randomCrop } from './random-crop';
import { randomHorizontalFlip } from './random-horizontal-flip';
import { randomRotation } from './random-rotation';
import { referenceAugmentations } from './reference-augmentations';

const image = () => Float32Array.from({ length: 4 * 5 * 3 }, (_, i) => (i + 1) / 60);

describe('augmentations', () => {
  it('horizontal flip with p = 1 mirrors columns; twice is the identity', () => {
    const x = image();
    randomHorizontalFlip(1)(x, 4, 5, 3, new Xoshiro128(0));
    expect(x[0]).toBe(image()[4 * 3]);
    randomHorizontalFlip(1)(x, 4, 5, 3, new Xoshiro128(0));
    expect(x).toEqual(image());
  });

  it('random crop with padding 0 is the identity; with padding it shifts and zero-fills', () => {
    const x = image();
    randomCrop(0)(x, 4, 5, 3, new Xoshiro128(0));
    expect(x).toEqual(image());
    let changed = 0;
    for (let s = 0; s < 20; s++) {
      const y = image();
      randomCrop(2)(y, 4, 5, 3, new Xoshiro128(s));
      if (y.some((v, i) => v !== image()[i])) {
        changed++;
        expect(y.includes(0)).toBe(true);
      }
    }
    expect(changed).toBeGreaterThan(10);
  });

  it('cutout zeroes a square of at most size²', () => {
    const x = Float32Array.from({ length: 10 * 10 }, () => 1);
    cutout(4)(x, 10, 10, 1, new Xoshiro128(3));
    const zeros = x.filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(0);
    expect(zeros).toBeLessThanOrEqual(16);
  });

  it('random rotation is seeded and uses the fill value', () => {
    const a = image();
    const b = image();
    randomRotation(0.5)(a, 4, 5, 3, new Xoshiro128(9));
    randomRotation(0.5)(b, 4, 5, 3, new Xoshiro128(9));
    expect(a).toEqual(b);
  });

  it('reference augmentations per dataset and split', () => {
    expect(referenceAugmentations('cifar10', 'train', true)).toHaveLength(2);
    expect(referenceAugmentations('cifar10', 'test', true)).toHaveLength(0);
    expect(referenceAugmentations('cifar10-rot', 'test')).toHaveLength(1);
    expect(referenceAugmentations('stl10', 'train', true)).toHaveLength(3);
    expect(referenceAugmentations('cifar100', 'train', true)).toHaveLength(0);
  });
});
