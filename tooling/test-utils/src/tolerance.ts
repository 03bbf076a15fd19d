import * as tf from '@tensorflow/tfjs-core';

/**
 * Tolerances keyed by what can differ between backends. Every test that compares floats takes its
 * bound from here, never from a literal, so a backend with less precision changes one row.
 *
 * - `exact`: the same float32 arithmetic in a different order (rel. L2 of a conv output).
 * - `trig`: paths through sin/cos (SIREN kernel nets) where GPU backends use low-precision sin.
 * - `gradient`: finite-difference gradient checks (float32 central differences).
 */
export type ToleranceKind = 'exact' | 'trig' | 'gradient';

const TABLE: Record<'float32' | 'float16', Record<ToleranceKind, number>> = {
  float32: { exact: 1e-5, trig: 1e-5, gradient: 2e-2 },
  float16: { exact: 1e-2, trig: 5e-2, gradient: 1e-1 },
};

const LOW_PRECISION_TRIG = new Set(['webgl', 'webgpu']);

export function tolerance(kind: ToleranceKind): number {
  const precision = tf.backend().floatPrecision() === 32 ? 'float32' : 'float16';
  const base = TABLE[precision][kind];
  // SwiftShader's sin/cos are accurate to ~1e-4 (research/tooling.md §4).
  if (kind === 'trig' && LOW_PRECISION_TRIG.has(tf.getBackend())) return Math.max(base, 1e-3);
  return base;
}
