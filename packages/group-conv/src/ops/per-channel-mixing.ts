import * as tf from '@tensorflow/tfjs-core';
import { registersKernels } from './backend-kernels';
import { denseMixingsOnly } from './dense-mixings';

/**
 * Kernels a backend add-on may register to run a per-channel mixing along a small axis —
 * @gcnn/tfjs-wasm-training does for wasm: `mix`, inputs `{ x, w }`, x `[M, S, C]`, w `[S, T, C]`
 * → `[M, T, C]`, `out[m, t, c] = Σ_s x[m, s, c]·w[s, t, c]`; `filter`, inputs `{ x, dy }`,
 * x `[M, S, C]`, dy `[M, T, C]` → `[S, T, C]`, `out[s, t, c] = Σ_m x[m, s, c]·dy[m, t, c]`.
 * Without them the mixing is a matMul with a block-diagonal matrix.
 */
export const PER_CHANNEL_MIX_KERNELS = {
  mix: 'GcnnPerChannelMix',
  filter: 'GcnnPerChannelMixFilter',
} as const;

/**
 * Whether per-channel mixings run as {@link PER_CHANNEL_MIX_KERNELS}: `backend` (default the
 * current one) registers both, and not inside `withDenseMixings` (dense-mixings.ts).
 */
export function usePerChannelMixKernels(backend: string = tf.getBackend()): boolean {
  return !denseMixingsOnly() && registersKernels(PER_CHANNEL_MIX_KERNELS, backend);
}

/**
 * A per-channel mixing `[C, S, T]` (`k_c(s, t)`) as the operand of {@link perChannelProduct}: for
 * the kernels `[S, T, C]`; otherwise the block-diagonal `[S·C, T·C]` matrix
 * `W[(s, c), (t, c′)] = k_c(s, t)·δ(c, c′)`, C× the FLOPs of the sums but one matMul at the matMul
 * ceiling (a batched `[C, M, S]·[C, S, T]` product runs at ≈ 0.8 GFLOP/s on wasm for S = T = 3,
 * and needs two transposes with C outermost).
 */
export function perChannelOperand(mixing: tf.Tensor3D, kernels: boolean): tf.Tensor {
  return tf.tidy(() => {
    if (kernels) return tf.transpose(mixing, [1, 2, 0]);
    const [c, s, t] = mixing.shape;
    const perChannel = tf.reshape(tf.transpose(mixing, [1, 0, 2]), [s, c, t, 1]);
    return tf.reshape(tf.mul(perChannel, tf.reshape(tf.eye(c), [1, c, 1, c])), [s * c, t * c]);
  });
}

/**
 * `y[m, t·C + c] = Σ_s x[m, s·C + c]·k_c(s, t)` for x `[M, S·C]` and the mixing as its
 * {@link perChannelOperand}: `[M, T·C]`.
 */
export function perChannelProduct(x: tf.Tensor2D, operand: tf.Tensor): tf.Tensor2D {
  if (operand.rank === 2) return tf.matMul(x, operand as tf.Tensor2D);
  const [s, t, c] = operand.shape as [number, number, number];
  return tf.tidy(() => {
    const x3 = tf.reshape(x, [x.shape[0], s, c]);
    const y = tf.engine().runKernel(PER_CHANNEL_MIX_KERNELS.mix, { x: x3, w: operand });
    return tf.reshape(y as tf.Tensor, [x.shape[0], t * c]);
  });
}

/** The gradient of {@link perChannelProduct} with respect to x, `[M, S·C]`, for `dy` `[M, T·C]`. */
export function perChannelInputGradient(dy: tf.Tensor2D, operand: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    if (operand.rank === 2) return tf.matMul(dy, operand as tf.Tensor2D, false, true);
    const [s, t, c] = operand.shape as [number, number, number];
    const dy3 = tf.reshape(dy, [dy.shape[0], t, c]);
    const wT = tf.transpose(operand, [1, 0, 2]);
    const dx = tf.engine().runKernel(PER_CHANNEL_MIX_KERNELS.mix, { x: dy3, w: wT }) as tf.Tensor;
    return tf.reshape(dx, [dy.shape[0], s * c]);
  });
}

/**
 * The gradient of {@link perChannelProduct} with respect to the mixing, `[C, S, T]` (the layout
 * {@link perChannelOperand} took), for `dy` `[M, T·C]` and x `[M, S·C]`.
 */
export function perChannelMixingGradient(
  dy: tf.Tensor2D,
  x: tf.Tensor2D,
  operand: tf.Tensor,
  c: number,
): tf.Tensor3D {
  return tf.tidy(() => {
    const m = x.shape[0];
    const s = x.shape[1] / c;
    const t = dy.shape[1] / c;
    if (operand.rank === 3) {
      const inputs = { x: tf.reshape(x, [m, s, c]), dy: tf.reshape(dy, [m, t, c]) };
      const dw = tf.engine().runKernel(PER_CHANNEL_MIX_KERNELS.filter, inputs) as tf.Tensor;
      return tf.transpose(dw, [2, 0, 1]);
    }
    const dW = tf.matMul(x, dy, true, false);
    // the block-diagonal's gradient: the diagonals of its [S, C, T, C] blocks
    const blocks = tf.mul(tf.reshape(dW, [s, c, t, c]), tf.reshape(tf.eye(c), [1, c, 1, c]));
    return tf.transpose(tf.sum(blocks, 3), [1, 0, 2]);
  }) as tf.Tensor3D;
}
