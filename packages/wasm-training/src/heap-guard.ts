import * as tf from '@tensorflow/tfjs-core';

/** Bytes the tfjs wasm backend's heap can grow to (wasm32: 4 GiB less one 64 KiB page). */
export const WASM_HEAP_LIMIT_BYTES = 4294901760;

const MiB = 2 ** 20;

/** Thrown instead of a wasm trap when a tensor does not fit in the wasm heap. */
export class WasmHeapExhaustedError extends Error {
  constructor(
    /** The allocation that failed. */
    readonly requestedBytes: number,
    /** Bytes held by live tensors (`tf.memory().numBytes`) when it failed. */
    readonly liveBytes: number,
  ) {
    super(
      `Error in the wasm backend: out of memory allocating ${(requestedBytes / MiB).toFixed(0)} MiB ` +
        `for a tensor (live tensors: ${(liveBytes / MiB).toFixed(0)} MiB); the tfjs wasm backend's ` +
        `heap is limited to 4 GiB (wasm32). Use a smaller batch size, or another backend.`,
    );
    this.name = 'WasmHeapExhaustedError';
  }
}

interface WasmModule {
  _malloc(bytes: number): number;
  [guarded]?: true;
}
const guarded = Symbol('gcnnHeapGuard');

/**
 * Makes the wasm backend throw {@link WasmHeapExhaustedError} when its `_malloc` fails. tfjs-backend-wasm
 * 4.22 does not check: `_malloc` returns 0 once the heap cannot grow past 4 GiB, the tensor is
 * registered at address 0 and the kernel writes over the start of the heap (silent corruption,
 * then `RuntimeError: memory access out of bounds`). Idempotent; ignores other backends.
 */
export function guardWasmHeap(backend: tf.KernelBackend | undefined): void {
  const wasm = (backend as unknown as { wasm?: WasmModule } | undefined)?.wasm;
  if (!wasm || typeof wasm._malloc !== 'function' || wasm[guarded]) return;
  const malloc = wasm._malloc.bind(wasm);
  wasm._malloc = (bytes: number) => {
    const p = malloc(bytes);
    if (p === 0 && bytes > 0) throw new WasmHeapExhaustedError(bytes, tf.memory().numBytes);
    return p;
  };
  wasm[guarded] = true;
}
