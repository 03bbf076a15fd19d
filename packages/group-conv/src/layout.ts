import * as tf from '@tensorflow/tfjs-core';

/**
 * @file The one tensor layout of gcnn (docs/concepts/tensor-layouts.md):
 *
 * - images: `[batch, height, width, channels]` (NHWC, as tfjs);
 * - group feature maps: `[batch, height, width, group, channels]`, with the group axis indexing the
 *   sampled elements of H (for Sim(2) rotation-major: element `r·nScales + s`);
 * - conv filters: tfjs's `[kh, kw, inChannels, outChannels]`, where a group axis is flattened with
 *   the group outer and the channel inner (`g·C + c`), so a feature map reshapes to
 *   `[batch, height, width, group·channels]` for free.
 */

/** Checks that `x` is a group feature map `[batch, height, width, group, channels]`. */
export function assertGroupFeatures(
  op: string,
  x: tf.Tensor,
  group?: number,
  channels?: number,
): asserts x is tf.Tensor5D {
  if (x.rank !== 5) {
    throw new Error(
      `Error in ${op}: x must have rank 5 [batch, height, width, group, channels], got shape [${x.shape}]`,
    );
  }
  if (group !== undefined && x.shape[3] !== group) {
    throw new Error(
      `Error in ${op}: x has ${x.shape[3]} group elements (axis 3), expected ${group}; shape [${x.shape}]`,
    );
  }
  if (channels !== undefined && x.shape[4] !== channels) {
    throw new Error(
      `Error in ${op}: x has ${x.shape[4]} channels (axis 4), expected ${channels}; shape [${x.shape}]`,
    );
  }
}

/** Checks that `x` is an image batch `[batch, height, width, channels]`. */
export function assertImages(
  op: string,
  x: tf.Tensor,
  channels?: number,
): asserts x is tf.Tensor4D {
  if (x.rank !== 4) {
    throw new Error(
      `Error in ${op}: x must have rank 4 [batch, height, width, channels], got shape [${x.shape}]`,
    );
  }
  if (channels !== undefined && x.shape[3] !== channels) {
    throw new Error(
      `Error in ${op}: x has ${x.shape[3]} channels (axis 3), expected ${channels}; shape [${x.shape}]`,
    );
  }
}

/** `[b, h, w, g, c]` → `[b, h, w, g·c]`. */
export function flattenGroup(x: tf.Tensor5D): tf.Tensor4D {
  const [b, h, w, g, c] = x.shape;
  return tf.reshape(x, [b, h, w, g * c]);
}

/** `[b, h, w, g·c]` → `[b, h, w, g, c]`. */
export function unflattenGroup(x: tf.Tensor4D, group: number): tf.Tensor5D {
  const [b, h, w, gc] = x.shape;
  return tf.reshape(x, [b, h, w, group, gc / group]);
}

/** Spatial padding: `'same'`, `'valid'`, or a symmetric number of zero pixels on each side. */
export type Padding = 'same' | 'valid' | number;

/** The tfjs `pad` argument for a padding option (numbers become explicit symmetric padding). */
export function convPadding(
  op: string,
  padding: Padding,
): 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]] {
  if (padding === 'same' || padding === 'valid') return padding;
  if (!Number.isInteger(padding) || padding < 0) {
    throw new Error(
      `Error in ${op}: padding must be 'same', 'valid' or an integer ≥ 0, got ${padding}`,
    );
  }
  return [
    [0, 0],
    [padding, padding],
    [padding, padding],
    [0, 0],
  ];
}
