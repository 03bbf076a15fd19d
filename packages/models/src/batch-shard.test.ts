/**
 * `apply(images, { shard })` (data-parallel training): a shard's dropout masks are the rows of the
 * whole batch's masks, so the shards' logits are the rows of one call on the whole batch for a
 * model whose other layers treat rows independently (layer/instance norm, no batch norm).
 */

import { createRng } from '@gcnn/lie-groups';
import { relativeL2, testModelConfig, tolerance } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createModel } from './create-model';
import { dropout } from './internal/stage';
import type { ModelConfig } from './model-config';

/** CK-G-All-CNN-C (three fixed dropouts, no head) with layer norm, at test size. */
const ALLCNNC: ModelConfig = testModelConfig('ckgallcnnc');

describe('batch shards', () => {
  it('dropout of rows [a, b) with shard {offset: a, total} equals rows [a, b) of dropout on the whole batch', async () => {
    const x = tf.randomUniform([5, 3, 4], -1, 1, 'float32', 2);
    const whole = dropout(x, 0.4, { training: true, rng: createRng(9) });
    for (const [a, b] of [
      [0, 3],
      [3, 5],
      [1, 2],
    ] as const) {
      const rows = tf.slice(x, [a], [b - a]);
      const shard = dropout(rows, 0.4, {
        training: true,
        rng: createRng(9),
        shard: { offset: a, total: 5 },
      });
      const expected = tf.slice(whole, [a], [b - a]);
      expect(Array.from(await shard.data())).toEqual(Array.from(await expected.data()));
      tf.dispose([rows, shard, expected]);
    }
    // Without a shard each call draws a mask for its own rows: rows 3–4 would differ.
    tf.dispose([x, whole]);
  });

  it('rejects a shard that does not fit its batch', () => {
    const x = tf.zeros([3, 2]);
    expect(() =>
      dropout(x, 0.5, { training: true, rng: createRng(1), shard: { offset: 2, total: 4 } }),
    ).toThrow(/shard rows \[2, 5\) do not fit a batch of 4/);
    x.dispose();
  });

  it('CK-G-All-CNN-C with layer norm: two shards in training give the rows of the whole batch (same rng state)', async () => {
    const model = createModel(ALLCNNC);
    const images = tf.randomUniform([5, 8, 8, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const whole = model.apply(images, { training: true, rng: createRng(21) });
    const parts = [
      [0, 3],
      [3, 5],
    ].map(([a, b]) => {
      const rows = tf.slice(images, [a as number], [(b as number) - (a as number)]);
      const rng = createRng(21);
      const out = model.apply(rows, {
        training: true,
        rng,
        shard: { offset: a as number, total: 5 },
      });
      rows.dispose();
      return out;
    });
    const joined = tf.concat(parts, 0);
    expect(await relativeL2(joined, whole)).toBeLessThanOrEqual(tolerance('exact'));
    tf.dispose([images, whole, joined, ...parts]);
    model.dispose();
  });
});
