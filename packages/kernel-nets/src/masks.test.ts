import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { diskMask, kernelGrid, scaleDistanceMask, smoothDiskMask, smoothSquareMask } from './index';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

describe('kernel grid and masks', () => {
  it('lays out taps row-major with x = column and y = row', async () => {
    const g = kernelGrid(3, 1);
    expect(await g.array()).toEqual([
      [-1, -1],
      [0, -1],
      [1, -1],
      [-1, 0],
      [0, 0],
      [1, 0],
      [-1, 1],
      [0, 1],
      [1, 1],
    ]);
    g.dispose();
  });

  it('puts a 1×1 kernel at the origin, or at (−r, −r) in reference-quirk mode', async () => {
    const origin = kernelGrid(1, 1.74);
    const corner = kernelGrid(1, 1.74, { singleTap: 'corner' });
    expect(Array.from(await origin.data())).toEqual([0, 0]);
    expect(Array.from(await corner.data())).toEqual([Math.fround(-1.74), Math.fround(-1.74)]);
    tf.dispose([origin, corner]);
  });

  it('disk mask keeps the inscribed disk, including (±1, 0)', async () => {
    const m = tf.tidy(() => diskMask(kernelGrid(3, 1)));
    expect(Array.from(await m.data())).toEqual([0, 1, 0, 1, 1, 1, 0, 1, 0]);
    m.dispose();
  });

  it('smooth masks are the documented sigmoids', async () => {
    const masks = tf.tidy(() => {
      const p = tf.tensor2d([
        [0.6, 0.8],
        [0, 0],
        [1.5, -0.5],
      ]);
      return [
        smoothDiskMask(p, 3),
        smoothSquareMask(p, 2),
        scaleDistanceMask(tf.tensor1d([0, 0.3, -0.3]), Math.log(1.74) / 2, 10),
      ];
    });
    const [disk, square, scale] = await Promise.all(masks.map((m) => m.data()));
    tf.dispose(masks);
    expect(disk![0]).toBeCloseTo(sigmoid(0), 6);
    expect(disk![1]).toBeCloseTo(sigmoid(3), 6);
    expect(square![2]).toBeCloseTo(sigmoid(2 * (1 - 1.5)), 6);
    expect(scale![1]).toBeCloseTo(sigmoid(10 * (Math.log(1.74) / 2 - 0.3)), 6);
    expect(scale![1]).toBeCloseTo(scale![2]!, 7);
  });

  it('rejects a bad kernel size', () => {
    expect(() => kernelGrid(0, 1)).toThrow(/kernelSize must be a positive integer, got 0/);
  });
});
