import { relativeL2, tolerance } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Rplus, rotate90, SO2, SO2xRplus, transformImages } from './index';

const ramp = (size: number, channels = 1) =>
  tf.reshape(tf.range(0, size * size * channels), [1, size, size, channels]) as tf.Tensor4D;

describe('rotate90', () => {
  it('is out[i][j] = in[W−1−j][i] for k = 1', async () => {
    const [x, rotated] = tf.tidy(() => {
      const x = ramp(3);
      return [x, rotate90(x)];
    });
    const y = (await rotated!.array()) as number[][][][];
    const input = (await x!.array()) as number[][][][];
    tf.dispose([x!, rotated!]);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) expect(y[0]![i]![j]).toEqual(input[0]![2 - j]![i]);
  });

  it('four quarter turns are the identity and k = −1 inverts k = 1', async () => {
    const [x, four, back, twice, half] = tf.tidy(() => {
      const x = tf.randomUniform([2, 5, 5, 3, 2], -1, 1, 'float32', 1);
      return [
        x,
        rotate90(x, 4),
        rotate90(rotate90(x, 1), -1),
        rotate90(rotate90(x), 1),
        rotate90(x, 2),
      ];
    });
    expect(await relativeL2(four!, x!)).toBe(0);
    expect(await relativeL2(back!, x!)).toBe(0);
    expect(await relativeL2(twice!, half!)).toBe(0);
    tf.dispose([x!, four!, back!, twice!, half!]);
  });

  it('rejects non-square inputs', () => {
    const x = tf.zeros([1, 3, 4, 1]);
    expect(() => rotate90(x)).toThrow(/square spatial axes, got shape \[1,3,4,1\]/);
    x.dispose();
  });
});

describe('transformImages', () => {
  it('rotating by π/2 equals rotate90 (the same group action)', async () => {
    const x = tf.randomUniform([2, 7, 7, 2], 0, 1, 'float32', 3) as tf.Tensor4D;
    for (const k of [1, 2, 3]) {
      const y = transformImages(x, SO2, [(k * Math.PI) / 2]);
      const r = rotate90(x, k);
      expect(await relativeL2(y, r)).toBeLessThan(tolerance('exact'));
      tf.dispose([y, r]);
    }
    x.dispose();
  });

  it('composes like the group: T(g)·T(h) ≈ T(gh) on smooth images (interior)', async () => {
    const [ab, direct, scaled, viaSim] = tf.tidy(() => {
      const size = 33;
      const c = (size - 1) / 2;
      const coords = tf.range(0, size);
      const yy = tf.reshape(tf.sub(coords, c), [size, 1]);
      const xx = tf.reshape(tf.sub(coords, c), [1, size]);
      const r2 = tf.add(tf.square(xx), tf.square(yy));
      const img = tf.reshape(tf.mul(tf.exp(tf.div(r2, -40)), tf.add(1, tf.div(xx, 10))), [
        1,
        size,
        size,
        1,
      ]) as tf.Tensor4D;
      const g = SO2xRplus({ maxScale: 2 });
      return [
        transformImages(transformImages(img, g, [0.4, 1.1]), g, [0.7, 1.2]),
        transformImages(img, g, [1.1, 1.32]),
        transformImages(img, Rplus({ maxScale: 2 }), [1.32]),
        transformImages(img, g, [0, 1.32]),
      ];
    });
    expect(await relativeL2(ab!, direct!)).toBeLessThan(2e-2); // two bilinear resamplings vs one
    expect(await relativeL2(scaled!, viaSim!)).toBeLessThan(tolerance('exact'));
    tf.dispose([ab!, direct!, scaled!, viaSim!]);
  });

  it('takes h as a typed array: `await h.data()` of a tensor element, no synchronous read', async () => {
    const x = tf.randomUniform([2, 9, 9, 2], 0, 1, 'float32', 5) as tf.Tensor4D;
    const g = SO2xRplus({ maxScale: 2 });
    const h = tf.tensor1d([0.7, 1.3]);
    const values = await h.data();
    h.dispose();
    const fromData = transformImages(x, g, values);
    // The same float32 numbers as a plain array: the same transform, bit for bit.
    const fromArray = transformImages(x, g, Array.from(values));
    expect(Array.from(await fromData.data())).toEqual(Array.from(await fromArray.data()));
    expect(await relativeL2(fromData, x)).toBeGreaterThan(0.1); // it did transform
    tf.dispose([x, fromData, fromArray]);
  });

  it('rejects a tensor h with the async read to use instead', () => {
    const x = tf.zeros([1, 3, 3, 1]) as tf.Tensor4D;
    const h = tf.tensor1d([0.5]);
    expect(() => transformImages(x, SO2, h as unknown as number[])).toThrow(
      /h must be numbers, got a tensor; read it first: transformImages\(images, group, await h\.data\(\)\)/,
    );
    tf.dispose([x, h]);
  });

  it('rejects a wrong element size', () => {
    const x = tf.zeros([1, 3, 3, 1]) as tf.Tensor4D;
    expect(() => transformImages(x, SO2, [1, 2])).toThrow(
      /h must have 1 parameter\(s\) for SO2, got 2/,
    );
    x.dispose();
  });
});
