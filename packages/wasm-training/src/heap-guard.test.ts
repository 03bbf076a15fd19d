/**
 * The wasm heap guard turns a failed allocation into a WasmHeapExhaustedError (never a silent
 * write at address 0), also at a smaller limit set for tests, after any number of allocations
 * (emscripten replaces a lazily bound `_malloc` on its first call), and leaves the backend usable.
 */

import { testBackend } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  setWasmHeapLimit,
  WASM_HEAP_LIMIT_BYTES,
  WasmHeapExhaustedError,
  wasmHeapLimitBytes,
} from './heap-guard';

describe('setWasmHeapLimit', () => {
  afterEach(() => setWasmHeapLimit(null));

  it('sets the limit planned against, null restores wasm32’s, nonsense is refused', () => {
    expect(wasmHeapLimitBytes()).toBe(WASM_HEAP_LIMIT_BYTES);
    setWasmHeapLimit(2 ** 20);
    expect(wasmHeapLimitBytes()).toBe(2 ** 20);
    setWasmHeapLimit(null);
    expect(wasmHeapLimitBytes()).toBe(WASM_HEAP_LIMIT_BYTES);
    expect(() => setWasmHeapLimit(0)).toThrow(/bytes must be a positive number or null, got 0/);
  });

  it.skipIf(testBackend() !== 'wasm')(
    'an allocation beyond the limit throws WasmHeapExhaustedError; below it works again',
    async () => {
      // allocations before it: emscripten's lazy export binding must not drop the guard
      for (let i = 0; i < 3; i++) tf.tensor1d([i]).dispose();
      // 1 byte: every heap address is beyond it, so any new tensor's allocation fails
      setWasmHeapLimit(1);
      let error: unknown;
      try {
        tf.tensor1d(new Float32Array(1 << 16)).dispose();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(WasmHeapExhaustedError);
      expect((error as Error).message).toMatch(
        /out of memory allocating 0 MiB .* limited to 0 MiB/,
      );
      setWasmHeapLimit(null);
      const t = tf.tensor1d([1, 2, 3]);
      expect(Array.from(await t.data())).toEqual([1, 2, 3]);
      t.dispose();
    },
  );
});
