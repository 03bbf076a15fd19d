import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { isWasmProject } from './parity.test-helpers';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from './register';

/** Bytes of the wasm heap (it only grows). */
function heapBytes(): number {
  return (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
}

/**
 * Heap growth over `count` convolutions, each with a new `[3,3,256,256]` filter that is kept alive
 * (as a training step keeps each layer's sampled kernel until its backward pass), and the filters'
 * own bytes.
 */
function heapGrowthOverKeptFilters(count: number): { growth: number; filterBytes: number } {
  const x = tf.randomNormal([1, 8, 8, 256]) as tf.Tensor4D;
  const filters = Array.from(
    { length: count },
    (_, i) => tf.randomNormal([3, 3, 256, 256], 0, 1, 'float32', i + 1) as tf.Tensor4D,
  );
  tf.tidy(() => tf.conv2d(x, tf.zeros([3, 3, 256, 256]) as tf.Tensor4D, 1, 'same').dataSync()); // warm-up
  const before = heapBytes();
  for (const f of filters) tf.tidy(() => tf.conv2d(x, f, 1, 'same').dataSync());
  const growth = heapBytes() - before;
  tf.dispose([x, ...filters]);
  return { growth, filterBytes: 3 * 3 * 256 * 256 * 4 };
}

describe.skipIf(!isWasmProject())('Conv2D keeps no packed copy of its filter (wasm)', () => {
  afterEach(() => {
    registerWasmTrainingKernels();
  });

  it('the stock kernel holds one per live filter; ours none', () => {
    // Ours first: the heap never shrinks, so the stock run's packed copies would leave room that
    // hides any growth after them. The stock run's growth shows that the heap had no such room
    // before either (its filters reuse what ours freed; only the packed copies are new).
    registerWasmTrainingKernels();
    const ours = heapGrowthOverKeptFilters(12);
    unregisterWasmTrainingKernels();
    const stock = heapGrowthOverKeptFilters(12);
    // 12 packed copies of 2.25 MiB each: the stock kernel grows the heap by most of them.
    expect(stock.growth).toBeGreaterThan(8 * stock.filterBytes);
    expect(ours.growth).toBeLessThan(2 * ours.filterBytes);
  });

  it('the filter keeps its data and its tensor: the same result after the packed copy is freed', () => {
    registerWasmTrainingKernels();
    const before = tf.memory().numTensors;
    const x = tf.randomNormal([2, 6, 6, 8], 0, 1, 'float32', 3) as tf.Tensor4D;
    const f = tf.randomNormal([3, 3, 8, 8], 0, 1, 'float32', 4) as tf.Tensor4D;
    const first = tf.conv2d(x, f, 1, 'same');
    // Allocations in between would reuse the filter's memory had it been freed.
    const other = tf.tidy(() => tf.mul(tf.randomNormal([3, 3, 8, 8], 0, 1, 'float32', 5), 2));
    const again = tf.conv2d(x, f, 1, 'same');
    expect(Array.from(again.dataSync())).toEqual(Array.from(first.dataSync()));
    tf.dispose([x, f, first, other, again]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
