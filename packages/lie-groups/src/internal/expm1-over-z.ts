import * as tf from '@tensorflow/tfjs-core';

const SMALL = 1e-4; // |z|² below which the Taylor series is used (float32-accurate there)

/** (e^z − 1)/z for z = a + ib, as (re, im), without a custom gradient. */
function value(a: tf.Tensor, b: tf.Tensor): [tf.Tensor, tf.Tensor] {
  const r2 = tf.add(tf.square(a), tf.square(b));
  const small = tf.less(r2, tf.scalar(SMALL));
  const safeR2 = tf.where(small, tf.onesLike(r2), r2);
  const ea = tf.exp(a);
  const nr = tf.sub(tf.mul(ea, tf.cos(b)), tf.scalar(1));
  const ni = tf.mul(ea, tf.sin(b));
  const exactRe = tf.div(tf.add(tf.mul(nr, a), tf.mul(ni, b)), safeR2);
  const exactIm = tf.div(tf.sub(tf.mul(ni, a), tf.mul(nr, b)), safeR2);
  // 1 + z/2 + z²/6 + z³/24 + z⁴/120 (error < |z|⁵/720 ≈ 1e-13 at |z|² = 1e-4).
  const [sr, si] = series(a, b, [1, 1 / 2, 1 / 6, 1 / 24, 1 / 120]);
  return [tf.where(small, sr, exactRe), tf.where(small, si, exactIm)];
}

/** d/dz (e^z − 1)/z = (z·e^z − e^z + 1)/z², as (re, im). */
function derivative(a: tf.Tensor, b: tf.Tensor): [tf.Tensor, tf.Tensor] {
  const r2 = tf.add(tf.square(a), tf.square(b));
  const small = tf.less(r2, tf.scalar(SMALL));
  const ea = tf.exp(a);
  const er = tf.mul(ea, tf.cos(b));
  const ei = tf.mul(ea, tf.sin(b));
  // numerator z·e^z − e^z + 1
  const nr = tf.add(tf.sub(tf.sub(tf.mul(a, er), tf.mul(b, ei)), er), tf.scalar(1));
  const ni = tf.sub(tf.add(tf.mul(a, ei), tf.mul(b, er)), ei);
  // divide by z² = (a² − b²) + 2abi
  const zr = tf.sub(tf.square(a), tf.square(b));
  const zi = tf.mul(tf.scalar(2), tf.mul(a, b));
  const d2 = tf.where(small, tf.onesLike(r2), tf.square(r2));
  const exactRe = tf.div(tf.add(tf.mul(nr, zr), tf.mul(ni, zi)), d2);
  const exactIm = tf.div(tf.sub(tf.mul(ni, zr), tf.mul(nr, zi)), d2);
  // 1/2 + z/3 + z²/8 + z³/30 + z⁴/144
  const [sr, si] = series(a, b, [1 / 2, 1 / 3, 1 / 8, 1 / 30, 1 / 144]);
  return [tf.where(small, sr, exactRe), tf.where(small, si, exactIm)];
}

/** Σ c_k z^k as (re, im). */
function series(a: tf.Tensor, b: tf.Tensor, coefficients: number[]): [tf.Tensor, tf.Tensor] {
  let pr: tf.Tensor = tf.onesLike(a);
  let pi: tf.Tensor = tf.zerosLike(a);
  let sr: tf.Tensor = tf.zerosLike(a);
  let si: tf.Tensor = tf.zerosLike(a);
  for (const c of coefficients) {
    sr = tf.add(sr, tf.mul(pr, c));
    si = tf.add(si, tf.mul(pi, c));
    [pr, pi] = [tf.sub(tf.mul(pr, a), tf.mul(pi, b)), tf.add(tf.mul(pr, b), tf.mul(pi, a))];
  }
  return [sr, si];
}

/**
 * V(z) = (e^z − 1)/z for z = a + ib, stacked as `[2, ...]` (re, im): the left Jacobian that maps
 * the translational tangent of R²⋊H to its translation. It has a removable singularity at z = 0,
 * so its value and (holomorphic) gradient switch to Taylor series there; the gradient is custom
 * because tfjs cannot differentiate through the branch condition.
 */
export const expm1OverZ = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  const [re, im] = value(a, b);
  return {
    value: tf.stack([re, im]),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor, tf.Tensor];
      const [dr, di] = derivative(sa, sb);
      const [gr, gi] = tf.unstack(dy) as [tf.Tensor, tf.Tensor];
      // V holomorphic: ∂Vr/∂a = ∂Vi/∂b = Dr, ∂Vi/∂a = −∂Vr/∂b = Di.
      return [tf.add(tf.mul(gr, dr), tf.mul(gi, di)), tf.sub(tf.mul(gi, dr), tf.mul(gr, di))];
    },
  };
  // tfjs types customGrad's arguments as one rest array of tensors-or-save.
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
