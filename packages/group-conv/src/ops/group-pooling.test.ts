/**
 * The max pools over the group axis and over space and group give tf.max's values and gradients
 * exactly, ties included (their gradient is computed without tfjs's broadcast `Equal`).
 */

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it } from 'vitest';
import { globalInvariantPool, groupPool } from './group-pooling';

describe('groupPool and globalInvariantPool (max)', () => {
  for (const [name, pool, axes] of [
    ['groupPool', (x: tf.Tensor5D) => groupPool(x, 'max'), [3]],
    ['globalInvariantPool', (x: tf.Tensor5D) => globalInvariantPool(x, 'max'), [1, 2, 3]],
  ] as const) {
    it(`${name} equals tf.max in value and gradient, ties included`, async () => {
      // -1, 0 or 1: ties in every pooled set (4 group elements)
      const values = Array.from(
        { length: 2 * 3 * 3 * 4 * 5 },
        (_, i) => Math.floor(((i * 37) % 11) / 4) - 1,
      );
      const x = tf.tensor5d(values, [2, 3, 3, 4, 5]);
      const before = tf.memory().numTensors;
      const [ours, theirs, gOurs, gTheirs] = tf.tidy(() => {
        const w = tf.randomNormal(tf.max(x, [...axes]).shape, 0, 1, 'float32', 3);
        const grad = (f: (t: tf.Tensor5D) => tf.Tensor) =>
          tf.grad((t) => tf.sum(tf.mul(f(t as tf.Tensor5D), w)))(x);
        return [pool(x), tf.max(x, [...axes]), grad(pool), grad((t) => tf.max(t, [...axes]))];
      });
      expect(ours.shape).toEqual(theirs.shape);
      expect(Array.from(await ours.data())).toEqual(Array.from(await theirs.data()));
      expect(Array.from(await gOurs.data())).toEqual(Array.from(await gTheirs.data()));
      // the test has ties: some pooled set has its maximum twice (gradient to both)
      const nonzero = (await gOurs.data()).filter((v) => v !== 0).length;
      expect(nonzero).toBeGreaterThan(ours.size);
      // and not everything is a maximum
      expect(nonzero).toBeLessThan(x.size);
      tf.dispose([ours, theirs, gOurs, gTheirs]);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
    });
  }
});
