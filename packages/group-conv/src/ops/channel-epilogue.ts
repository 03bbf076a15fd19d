import * as tf from '@tensorflow/tfjs-core';

/**
 * `relu?(y·scale + shift)` per output channel, applied by the conv that makes `y`: an inference
 * batch norm (`scale = γ/√(σ² + ε)`, `shift = β − μ·scale`, `GroupBatchNorm.inferenceEpilogue`)
 * and the ReLU after it. A factorisation whose last op is a depthwise conv (`separable`) folds it
 * into that conv ({@link depthwiseWithEpilogue}); the others apply it after their ops
 * ({@link applyChannelEpilogue}). Same values as the norm and ReLU, up to round-off.
 */
export interface ChannelEpilogue {
  /** `[C]` */
  scale: tf.Tensor1D;
  /** `[C]` */
  shift: tf.Tensor1D;
  relu: boolean;
}

/**
 * The epilogue as separate ops on features `[..., C]`, on their `[n, C]` view (tfjs-backend-webgpu
 * 4.22 cannot broadcast a `[C]` tensor over a rank-5 one).
 */
export function applyChannelEpilogue<T extends tf.Tensor>(y: T, epilogue: ChannelEpilogue): T {
  return tf.tidy(() => {
    const flat = tf.reshape(y, [-1, epilogue.scale.shape[0]]);
    const z = tf.add(tf.mul(flat, epilogue.scale), epilogue.shift);
    return tf.reshape(epilogue.relu ? tf.relu(z) : z, y.shape) as T;
  });
}

/**
 * The epilogue after a channel bias `[C]`: `relu?((y + bias)·scale + shift)` =
 * `relu?(y·scale + (shift + bias·scale))`. The caller disposes the returned shift.
 */
export function epilogueAfterBias(epilogue: ChannelEpilogue, bias: tf.Tensor1D): ChannelEpilogue {
  return {
    ...epilogue,
    shift: tf.tidy(() => tf.add(epilogue.shift, tf.mul(bias, epilogue.scale))),
  };
}

/**
 * `relu?(depthwiseConv2d(x, filter)·scale + shift)` as one fused depthwise conv: the filter
 * scaled per channel, the shift as the conv's bias, the ReLU as its activation (on wasm with
 * @gcnn/tfjs-wasm-training one SIMD pass instead of three: conv, batch norm, ReLU). The conv's
 * `groups·C` channels (index g·C + c) take `scale[c]` and `shift[c]`.
 *
 * @param x `[batch, h, w, groups·C]`
 * @param filter `[k, k, groups·C, 1]`
 * @returns `[batch, h′, w′, groups·C]`
 */
export function depthwiseWithEpilogue(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: number,
  pad: 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]],
  epilogue: ChannelEpilogue,
  groups: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, channels] = filter.shape;
    const c = channels / groups;
    const scaled = tf.reshape(
      tf.mul(tf.reshape(filter, [kh, kw, groups, c]), epilogue.scale),
      filter.shape,
    ) as tf.Tensor4D;
    return tf.fused.depthwiseConv2d({
      x,
      filter: scaled,
      strides,
      // explicit padding runs on every backend (conv_util); the op's type leaves it out
      pad: pad as 'same',
      bias: tf.tile(epilogue.shift, [groups]),
      activation: epilogue.relu ? 'relu' : 'linear',
    });
  });
}
