import { type GroupGrid, rotate90 } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';

/**
 * The rotations × scales of a group axis: a {@link GroupGrid} from `resolveGroupGrid`, or just
 * `{ nRotations, nScales? }` (nScales default 1). The axis is rotation-major, `r·S + s`.
 */
export type RotationScaleAxis = Pick<GroupGrid, 'nRotations'> & Partial<Pick<GroupGrid, 'nScales'>>;

/**
 * Rolls the rotation index of a group feature map `[batch, h, w, R·S, C]` by `shift`:
 * `out[..., r·S + s, :] = x[..., ((r − shift) mod R)·S + s, :]`.
 */
export function rollRotations(x: tf.Tensor5D, shift: number, grid: RotationScaleAxis): tf.Tensor5D {
  const r = grid.nRotations;
  const s = grid.nScales ?? 1;
  const [b, h, w, g, c] = x.shape;
  if (g !== r * s)
    throw new Error(`Error in rollRotations: group axis ${g} ≠ nRotations·nScales = ${r}·${s}`);
  const k = ((shift % r) + r) % r;
  if (k === 0) return tf.clone(x);
  return tf.tidy(() => {
    const grouped = tf.reshape(x, [b, h, w, r, s * c]);
    const head = tf.slice(grouped, [0, 0, 0, r - k, 0], [b, h, w, k, s * c]);
    const tail = tf.slice(grouped, [0, 0, 0, 0, 0], [b, h, w, r - k, s * c]);
    return tf.reshape(tf.concat([head, tail], 3), [b, h, w, g, c]);
  });
}

/**
 * The exact action of a rotation by k·90° on a group feature map sampled on an equispaced
 * rotation grid: rotate every map spatially (`rotate90`) and roll the rotation index by k·R/4.
 */
export function rotateGroupFeatures(
  x: tf.Tensor5D,
  k: number,
  grid: RotationScaleAxis,
): tf.Tensor5D {
  if (grid.nRotations % 4 !== 0) {
    throw new Error(
      `Error in rotateGroupFeatures: exact quarter turns need nRotations divisible by 4, got ${grid.nRotations}`,
    );
  }
  return tf.tidy(() =>
    rollRotations(rotate90(x, k) as tf.Tensor5D, (k * grid.nRotations) / 4, grid),
  );
}
