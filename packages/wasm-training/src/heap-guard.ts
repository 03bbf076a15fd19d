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
    /** The heap's limit. */
    readonly limitBytes = WASM_HEAP_LIMIT_BYTES,
  ) {
    const limit =
      limitBytes === WASM_HEAP_LIMIT_BYTES
        ? '4 GiB (wasm32)'
        : `${(limitBytes / MiB).toFixed(0)} MiB (set by setWasmHeapLimit)`;
    super(
      `Error in the wasm backend: out of memory allocating ${(requestedBytes / MiB).toFixed(0)} MiB ` +
        `for a tensor (live tensors: ${(liveBytes / MiB).toFixed(0)} MiB); the tfjs wasm backend's ` +
        `heap is limited to ${limit}. Use a smaller batch size, or another backend.`,
    );
    this.name = 'WasmHeapExhaustedError';
  }
}

/** A smaller heap limit than wasm32's, for tests (null: none). */
let artificialLimit: number | null = null;

/**
 * Makes every guarded wasm heap act as if it could not grow past `bytes` (an allocation that would
 * end beyond it fails as at the real 4 GiB limit), or lifts that with null. For testing what
 * happens when memory runs out, on small models; the real limit stays.
 */
export function setWasmHeapLimit(bytes: number | null): void {
  if (bytes !== null && !(Number.isFinite(bytes) && bytes > 0)) {
    throw new Error(
      `Error in setWasmHeapLimit: bytes must be a positive number or null, got ${bytes}`,
    );
  }
  artificialLimit = bytes;
}

/** The heap limit a thread plans against: the one {@link setWasmHeapLimit} set, else wasm32's. */
export function wasmHeapLimitBytes(): number {
  return artificialLimit ?? WASM_HEAP_LIMIT_BYTES;
}

interface WasmModule {
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  [guarded]?: true;
}
const guarded = Symbol('gcnnHeapGuard');

/**
 * Makes the wasm backend throw {@link WasmHeapExhaustedError} when its `_malloc` fails (or would
 * end beyond a {@link setWasmHeapLimit} limit). tfjs-backend-wasm
 * 4.22 does not check: `_malloc` returns 0 once the heap cannot grow past 4 GiB, the tensor is
 * registered at address 0 and the kernel writes over the start of the heap (silent corruption,
 * then `RuntimeError: memory access out of bounds`). Allocations inside kernels (XNNPACK's
 * buffers) do not pass through it. Idempotent; ignores other backends.
 */
export function guardWasmHeap(backend: tf.KernelBackend | undefined): void {
  const wasm = (backend as unknown as { wasm?: WasmModule } | undefined)?.wasm;
  if (!wasm || typeof wasm._malloc !== 'function' || wasm[guarded]) return;
  // Emscripten binds its exports lazily: the first call of `Module._malloc` replaces the property
  // by the raw export, which would drop a wrapper assigned over it after one allocation. So the
  // property keeps the guard and a later assignment only replaces the function it calls.
  let malloc = wasm._malloc;
  const guard = (bytes: number) => {
    const p = malloc(bytes) >>> 0;
    if (p === 0 && bytes > 0) throw new WasmHeapExhaustedError(bytes, tf.memory().numBytes);
    if (artificialLimit !== null && p + bytes > artificialLimit) {
      wasm._free(p);
      throw new WasmHeapExhaustedError(bytes, tf.memory().numBytes, artificialLimit);
    }
    return p;
  };
  Object.defineProperty(wasm, '_malloc', {
    configurable: true,
    enumerable: true,
    get: () => guard,
    set: (f: (bytes: number) => number) => {
      malloc = f;
    },
  });
  wasm[guarded] = true;
}
