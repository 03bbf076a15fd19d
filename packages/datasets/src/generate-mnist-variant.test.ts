import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateMnistVariant } from './generate-mnist-variant';
import {
  MNIST_ROT_PROTOCOL,
  MNIST_ROT_SCALE_PROTOCOL,
  MNIST_SCALE_PROTOCOL,
} from './mnist-variant-protocol';
import { loadMnist } from './node/load-mnist';

const sha = (b: Uint8Array | Int32Array) => createHash('sha256').update(b).digest('hex');
const mnist = { train: loadMnist({ split: 'train' }), test: loadMnist({ split: 'test' }) };

describe('generateMnistVariant', () => {
  it('full-size MNIST-rot (seed 0) has the documented sizes and is bit-identical to the recorded hashes', () => {
    const progress: number[] = [];
    const out = generateMnistVariant(mnist, MNIST_ROT_PROTOCOL, {
      onProgress: (done, total) => progress.push(done, total),
    });
    const { train, test } = out as Record<'train' | 'test', (typeof out)[string]>;
    expect([train?.count, test?.count]).toEqual([12000, 50000]);
    expect(sha(train?.images as Uint8Array)).toBe(
      '9fd01075486bbd4aa9b15ff40cef634c9128c572e139b3d418896d8225e5b02f',
    );
    expect(sha(test?.images as Uint8Array)).toBe(
      'bfd2ff7f42c2d9fa977642ffe1f329eaca1e356c06d7266bafd0e371d93002ec',
    );
    expect(sha(train?.labels as Uint8Array)).toBe(
      '325d95d6cc400d383ded71fe288eb52ef3995868945dfcac3cf539783be995e7',
    );
    expect(progress.slice(-2)).toEqual([62000, 62000]);
  });

  it('with a limit, gives the full set’s first images, identically on every run', () => {
    const a = generateMnistVariant(mnist, MNIST_ROT_PROTOCOL, { limit: 3 });
    const b = generateMnistVariant(mnist, MNIST_ROT_PROTOCOL, { limit: 3 });
    expect(sha(a.train?.images as Uint8Array)).toBe(
      '593f23836eb2664dc9f5f4ef21492d74def668b7b3e4c291bd521da10f985f48',
    );
    expect(sha(a.test?.images as Uint8Array)).toBe(
      'd396739f8b976ba2841a02a88d6afec70fbf548bbc9606ccf51ce9265e6caee6',
    );
    expect(Array.from(a.train?.labels ?? [])).toEqual([0, 8, 1]);
    expect(b.train?.images).toEqual(a.train?.images);
    const c = generateMnistVariant(mnist, MNIST_ROT_PROTOCOL, { limit: 3, seed: 1 });
    expect(c.train?.images).not.toEqual(a.train?.images);
  });

  it('rotation preserves the ink mass approximately; zoom-out shrinks it', () => {
    const rot = generateMnistVariant(mnist, MNIST_ROT_PROTOCOL, { limit: 200 });
    const scale = generateMnistVariant(mnist, MNIST_SCALE_PROTOCOL, { limit: 200 });
    const mean = (b: Uint8Array) => b.reduce((s, v) => s + v, 0) / b.length / 255;
    expect(mean(rot.train?.images as Uint8Array)).toBeGreaterThan(0.11);
    expect(mean(rot.train?.images as Uint8Array)).toBeLessThan(0.15);
    expect(mean(scale.train?.images as Uint8Array)).toBeLessThan(0.09);
    expect(Object.keys(scale)).toEqual(['train', 'validation', 'test']);
    const rs = generateMnistVariant(mnist, MNIST_ROT_SCALE_PROTOCOL, { limit: 2 });
    expect(Object.values(rs).map((d) => d.count)).toEqual([2, 2, 2]);
  });

  it('rejects float or multi-channel sources', () => {
    const bad = { ...mnist.train, images: new Float32Array(mnist.train.images.length) };
    expect(() =>
      generateMnistVariant({ train: bad, test: mnist.test }, MNIST_ROT_PROTOCOL, { limit: 1 }),
    ).toThrow(/Error in generateMnistVariant/);
  });
});
