import * as tf from '@tensorflow/tfjs-core';

/**
 * Exact rotation of images or feature maps by k·90° about the centre of the spatial axes 1 and 2
 * (`[batch, height, width, ...]`, height = width), by reversal and transposition only.
 *
 * It is the action `(L_R f)(x) = f(R⁻¹x)` of the rotation θ = k·π/2 in gcnn's pixel convention
 * (x = column, y = row): for k = 1, `out[i][j] = in[W−1−j][i]`. A G-CNN with N rotations
 * (N divisible by 4) then satisfies `f(rotate90(x)) = roll(rotate90(f(x)), N/4, groupAxis)`.
 */
export function rotate90(x: tf.Tensor, k = 1): tf.Tensor {
  if (x.rank < 3 || x.shape[1] !== x.shape[2]) {
    throw new Error(
      `Error in rotate90: x must be [batch, size, size, ...] with square spatial axes, got shape [${x.shape}]`,
    );
  }
  if (!Number.isInteger(k)) throw new Error(`Error in rotate90: k must be an integer, got ${k}`);
  const turns = ((k % 4) + 4) % 4;
  return tf.tidy(() => {
    // Work on [batch, size, size, rest]: webgl cannot reverse rank-5 tensors (and webgpu's
    // rank-5 Reverse is wrong in tfjs 4.22), and the trailing axes ride along unchanged.
    const [b, size] = x.shape as [number, number];
    const rest = x.shape.slice(3).reduce((p, d) => p * d, 1);
    let y: tf.Tensor = tf.reshape(x, [b, size, size, rest]);
    for (let t = 0; t < turns; t++) y = tf.reverse(tf.transpose(y, [0, 2, 1, 3]), 2);
    return tf.reshape(y, x.shape);
  });
}
