import * as tf from '@tensorflow/tfjs-core';

/**
 * Tolerances keyed by what can differ between backends. Every test that compares floats takes its
 * bound from here, never from a literal, so a backend with less precision changes one row.
 *
 * - `exact`: the same float32 arithmetic in a different order (rel. L2 of a conv output).
 * - `trig`: paths through sin/cos (SIREN kernel nets), where webgl's builtin sin is low-precision.
 * - `gradient`: finite-difference gradient checks (float32 central differences).
 * - `network`: loss and gradients of a whole training step compared across backends: backward
 *   through ~10 layers (convs, batch norm, max pooling) accumulates float32 round-off; wasm vs
 *   cpu measured 2.3e-5–4.1e-5 (gradient rel. L2) on the small README models. Also a trained
 *   network's logits under a quarter turn: the float32 round-off of the grid's angles, through
 *   trained kernel nets (9.1e-6–1.8e-5, the layers-model test).
 */
export type ToleranceKind = 'exact' | 'trig' | 'gradient' | 'network';

const TABLE: Record<'float32' | 'float16', Record<ToleranceKind, number>> = {
  float32: { exact: 1e-5, trig: 1e-5, gradient: 2e-2, network: 1e-4 },
  float16: { exact: 1e-2, trig: 5e-2, gradient: 1e-1, network: 1e-1 },
};

// webgl's sin/cos are SwiftShader's/the driver's builtins: off by up to 1.9e-4 on SwiftShader
// (|x| ≤ 100, measured 2026-11-27 in headless Chromium). webgpu is not here: @gcnn/backends
// replaces its Sin/Cos kernels by accurate ones (≤ 7e-8; packages/backends/src/webgpu-trig.ts).
const LOW_PRECISION_TRIG = new Set(['webgl']);

export function tolerance(kind: ToleranceKind): number {
  const precision = tf.backend().floatPrecision() === 32 ? 'float32' : 'float16';
  const base = TABLE[precision][kind];
  // webgl's builtin sin/cos: ~1e-4 (research/tooling.md §4; 1.9e-4 measured, see above).
  if ((kind === 'trig' || kind === 'network') && LOW_PRECISION_TRIG.has(tf.getBackend()))
    return Math.max(base, 1e-3);
  return base;
}
