import * as tf from '@tensorflow/tfjs-core';

/**
 * `tf.relu(x)` whose gradient keeps the output instead of the input: `dx = dy · step(y)`, the
 * same mask as tfjs's `dy · step(x)` (y > 0 exactly where x > 0), so identical gradients. The
 * output is usually kept anyway by the next layer (conv inputs, pooling), so a conv–norm–ReLU
 * chain keeps one full-size map less per ReLU in training.
 */
export function reluKeepingOutput<T extends tf.Tensor>(x: T): T {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xt, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const y = tf.relu(xt);
    save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => tf.mul(dy, tf.step(saved[0]!))),
    };
  });
  return f(x) as T;
}

/**
 * `x + bias` with a channel bias `[C]` broadcast over the last axis, whose gradient keeps nothing
 * (tfjs's `Add` keeps both inputs for their shapes): `dx = dy`, `dbias = Σ dy` over all leading
 * axes, computed as tfjs's `Add` gradient does (same values).
 */
export function addChannelBias<T extends tf.Tensor>(x: T, bias: tf.Tensor1D): T {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xt, b] = args as [tf.Tensor, tf.Tensor1D];
    return {
      value: tf.add(xt, b),
      gradFunc: (dy: tf.Tensor) =>
        tf.tidy(() => [
          tf.reshape(dy, x.shape),
          tf.reshape(axes.length > 0 ? tf.sum(dy, axes) : dy, bias.shape),
        ]),
    };
  });
  return f(x, bias) as T;
}
