import { linspaceF32 } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';

export interface KernelGridOptions {
  /**
   * Where the single tap of a 1×1 kernel sits: `'origin'` (default, correct: it must be fixed by
   * every h) or `'corner'`, the reference's `linspace(−r, r, 1) = [−r]` (quirk Q3).
   */
  singleTap?: 'origin' | 'corner';
}

/**
 * The k×k lattice of kernel taps as points of R² `[k·k, 2]`, on `linspace(−radius, radius, k)`.
 * Tap (row a, column b), flattened as a·k + b, is the point (x, y) = (ℓ[b], ℓ[a]): x runs along
 * columns and y down the rows, gcnn's one pixel convention (the same as `rotate90`).
 */
export function kernelGrid(
  kernelSize: number,
  radius: number,
  options: KernelGridOptions = {},
): tf.Tensor2D {
  if (!Number.isInteger(kernelSize) || kernelSize < 1) {
    throw new Error(
      `Error in kernelGrid: kernelSize must be a positive integer, got ${kernelSize}`,
    );
  }
  if (!(radius > 0)) throw new Error(`Error in kernelGrid: radius must be > 0, got ${radius}`);
  const lattice =
    kernelSize === 1
      ? Float32Array.of(options.singleTap === 'corner' ? -radius : 0)
      : linspaceF32(-radius, radius, kernelSize);
  const values = new Float32Array(kernelSize * kernelSize * 2);
  for (let a = 0; a < kernelSize; a++) {
    for (let b = 0; b < kernelSize; b++) {
      values[2 * (a * kernelSize + b)] = lattice[b]!;
      values[2 * (a * kernelSize + b) + 1] = lattice[a]!;
    }
  }
  return tf.tensor2d(values, [kernelSize * kernelSize, 2]);
}
