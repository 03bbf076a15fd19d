/**
 * Test helpers: seeded data and "same computation on wasm and on cpu" runners. Not exported from
 * the package; used by the *.test.ts files only.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { expect, inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    backend: 'cpu' | 'wasm' | 'webgl' | 'webgpu';
  }
}

/** Whether this file runs in the vitest project of the wasm backend (usable at collection). */
export function isWasmProject(): boolean {
  return inject('backend') === 'wasm';
}

/** Deterministic uniform [lo, hi) numbers (mulberry32). */
export function seeded(seed: number): (lo?: number, hi?: number) => number {
  let a = seed >>> 0;
  return (lo = 0, hi = 1) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  };
}

/** `size` seeded uniform values in [−1, 1). */
export function randomValues(size: number, seed: number): Float32Array {
  const r = seeded(seed);
  return Float32Array.from({ length: size }, () => r(-1, 1));
}

/**
 * Runs `fn` (which must return plain arrays, no live tensors) on the wasm backend, checking that
 * the wasm backend holds as many data ids afterwards as before, then on cpu; returns both.
 */
export async function onWasmAndCpu<T>(fn: () => T): Promise<{ wasm: T; cpu: T }> {
  const before = tf.backend().numDataIds();
  const wasm = fn();
  expect(tf.backend().numDataIds(), 'wasm backend data ids leaked').toBe(before);
  await tf.setBackend('cpu');
  try {
    return { wasm, cpu: fn() };
  } finally {
    await tf.setBackend('wasm');
  }
}

/** ‖a − b‖₂ / ‖b‖₂, and max |a − b| / max |b|; both ≤ `tol` (float32 summation order). */
export function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string) {
  expect(a.length, `${what}: length`).toBe(b.length);
  let num = 0;
  let den = 0;
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    num += d * d;
    den += (b[i] as number) ** 2;
    maxDiff = Math.max(maxDiff, Math.abs(d));
    maxRef = Math.max(maxRef, Math.abs(b[i] as number));
  }
  const rel = den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
  expect(rel, `${what}: relative L2`).toBeLessThanOrEqual(tol);
  expect(maxDiff, `${what}: max abs diff (max |ref| ${maxRef})`).toBeLessThanOrEqual(
    tol * Math.max(1, maxRef) * 10,
  );
}
