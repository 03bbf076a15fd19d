import type * as tf from '@tensorflow/tfjs-core';
import type { KernelScope } from './kernel-scope';

type Info = tf.TensorInfo;

/**
 * Pads (positive amounts) or crops (negative amounts) the two spatial axes of an NHWC tensor:
 * `[[top, bottom], [left, right]]`, with `constantValue` in the padding.
 */
export function padOrCrop(
  s: KernelScope,
  x: Info,
  [[top, bottom], [left, right]]: [[number, number], [number, number]],
  constantValue = 0,
): Info {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  let y = x;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const t = Math.max(0, -top);
    const l = Math.max(0, -left);
    y = s.slice(x, [0, t, l, 0], [n, h - t - Math.max(0, -bottom), w - l - Math.max(0, -right), c]);
  }
  const padded = s.pad(
    y,
    [
      [0, 0],
      [Math.max(0, top), Math.max(0, bottom)],
      [Math.max(0, left), Math.max(0, right)],
      [0, 0],
    ],
    constantValue,
  );
  if (y !== x && padded !== y) s.free(y);
  return padded;
}

/**
 * Spreads an NHWC tensor `[n, h, w, c]` onto a grid with strides `[sh, sw]` and zeros between:
 * `[n, (h−1)·sh+1, (w−1)·sw+1, c]`, element `(i, j)` at `(i·sh, j·sw)`.
 */
export function insertZeros(s: KernelScope, x: Info, sh: number, sw: number): Info {
  if (sh === 1 && sw === 1) return x;
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const r = s.reshape(x, [n, h, 1, w, 1, c]);
  const p = s.pad(r, [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  const g = s.reshape(p, [n, h * sh, w * sw, c]);
  const out = s.slice(g, [0, 0, 0, 0], [n, (h - 1) * sh + 1, (w - 1) * sw + 1, c]);
  s.free(r, p, g);
  return out;
}

/** `[a, a]` for a number, the pair itself otherwise. */
export function pair(v: number | [number, number] | undefined, fallback = 1): [number, number] {
  if (v === undefined) return [fallback, fallback];
  return typeof v === 'number' ? [v, v] : v;
}

/** Throws the house-style error for an unsupported attribute. */
export function unsupported(kernel: string, attr: string, got: unknown, supported: string): never {
  throw new Error(
    `Error in ${kernel} (wasm, @gcnn/tfjs-wasm-training): attribute ${attr}=${JSON.stringify(got)} is not supported; supported: ${supported}`,
  );
}
