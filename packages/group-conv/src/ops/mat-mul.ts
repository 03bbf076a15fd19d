import * as tf from '@tensorflow/tfjs-core';

/**
 * `tf.matMul(a, b)` (rank 2, or rank 3 batched with equal batch sizes) whose gradients are plain
 * matMuls of explicitly transposed operands, `dA = dy · transpose(b)` and `dB = transpose(a) · dy`,
 * instead of tfjs's `matMul(…, transposeA/B)`. Same values; on the wasm backend (tfjs 4.22) the
 * transposed-operand BatchMatMul is 10–17× slower than a transpose plus a plain one
 * (docs/benchmarks.md: `[12544, 256]ᵀ·[12544, 256]` 740 ms vs 64 ms), and the mixing matMuls of the
 * separable convs are most of a training step.
 */
export function mixMatMul<T extends tf.Tensor2D | tf.Tensor3D>(a: T, b: T): T {
  if (a.rank !== b.rank || (a.rank !== 2 && a.rank !== 3)) {
    throw new Error(
      `Error in mixMatMul: a and b must both have rank 2 or both rank 3, got [${a.shape}] and [${b.shape}]`,
    );
  }
  const perm = a.rank === 2 ? [1, 0] : [0, 2, 1];
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, w, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([x, w]);
    return {
      value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
      // in a tidy: tfjs keeps what a customGrad gradient leaves until the backward pass ends
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
          return [
            tf.matMul(dy as tf.Tensor2D, tf.transpose(ws, perm)),
            tf.matMul(tf.transpose(xs, perm), dy as tf.Tensor2D),
          ];
        }),
    };
  });
  return f(a, b) as T;
}
