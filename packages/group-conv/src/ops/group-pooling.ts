import * as tf from '@tensorflow/tfjs-core';
import { assertGroupFeatures, flattenGroup, unflattenGroup } from '../layout';

export interface SpatialPoolOptions {
  /** Window size (default 2). */
  poolSize?: number;
  /** Stride (default = poolSize). */
  stride?: number;
  /** Default `'valid'` (odd sizes are floored, as the reference's max_pool2d). */
  padding?: 'valid' | 'same';
}

/**
 * Spatial max or average pooling of every (group element, channel) map:
 * `[batch, h, w, G, C]` → `[batch, h′, w′, G, C]`. There is no pooling along the group.
 */
export function groupSpatialPool2d(
  x: tf.Tensor5D,
  reduce: 'max' | 'avg',
  options: SpatialPoolOptions = {},
): tf.Tensor5D {
  assertGroupFeatures('groupSpatialPool2d', x);
  const size = options.poolSize ?? 2;
  const stride = options.stride ?? size;
  const padding = options.padding ?? 'valid';
  return tf.tidy(() => {
    const flat = flattenGroup(x);
    const pooled =
      reduce === 'max'
        ? tf.maxPool(flat, size, stride, padding)
        : tf.avgPool(flat, size, stride, padding);
    return unflattenGroup(pooled as tf.Tensor4D, x.shape[3]);
  });
}

/**
 * `tf.max(x, axes)` with the same gradient, `dy` where x equals the maximum (every tied element)
 * and 0 elsewhere, computed as `dy · (1 + sign(x − max))` instead of tfjs's
 * `dy · cast(equal(x, max))`: tfjs-wasm's `Equal` broadcasts in a generic loop (132 ms for the
 * Sim(2) model's `[16,5,5,48,64]` global pool at batch 16), its `Sub` and `Sign` in fast ones.
 * Equal gradients for finite inputs (x − max = 0 exactly where x = max).
 */
function maxOver(x: tf.Tensor, axes: number[]): tf.Tensor {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xt, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const y = tf.max(xt, axes);
    save([xt, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [xs, ys] = saved as [tf.Tensor, tf.Tensor];
          const atMax = tf.add(tf.sign(tf.sub(xs, tf.reshape(ys, kept))), 1);
          return tf.mul(tf.reshape(dy, kept), atMax);
        }),
    };
  });
  return f(x);
}

/** Pooling over the group axis: `[batch, h, w, G, C]` → `[batch, h, w, C]`, invariant to the group action on H. */
export function groupPool(x: tf.Tensor5D, reduce: 'max' | 'mean'): tf.Tensor4D {
  assertGroupFeatures('groupPool', x);
  return tf.tidy(() => (reduce === 'max' ? maxOver(x, [3]) : tf.mean(x, 3)) as tf.Tensor4D);
}

/**
 * Global pooling over space and group: `[batch, h, w, G, C]` → `[batch, C]`, invariant to
 * translations and to H (the reference takes the max).
 */
export function globalInvariantPool(x: tf.Tensor5D, reduce: 'max' | 'mean' = 'max'): tf.Tensor2D {
  assertGroupFeatures('globalInvariantPool', x);
  return tf.tidy(
    () => (reduce === 'max' ? maxOver(x, [1, 2, 3]) : tf.mean(x, [1, 2, 3])) as tf.Tensor2D,
  );
}
