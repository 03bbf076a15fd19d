import type * as tf from '@tensorflow/tfjs-core';

/** A typed view of a tensor's data in the wasm heap (float32, int32 or bool data). */
export type HeapView = Float32Array | Int32Array | Uint8Array;

/**
 * What the kernels use of tfjs-backend-wasm's `BackendWasm`. A structural type, not an import:
 * the package depends on tfjs-core only, and the app brings the wasm backend.
 */
export interface WasmBackend {
  /**
   * The Emscripten module; its `asm.memory` is the heap every tensor lives in, and `tfjs` the C++
   * side's tensor registry (id → data offset and size).
   */
  wasm?: {
    asm?: { memory?: unknown };
    tfjs?: {
      disposeData(id: number): void;
      registerTensor(id: number, size: number, memoryOffset: number): void;
    };
  };
  /** The backend's record of each tensor: its id on the C++ side and its data's offset. */
  dataIdMap: { get(dataId: tf.DataId): { id: number; memoryOffset: number } | undefined };
  /** Byte offset of a tensor's data in the heap. */
  getMemoryOffset(dataId: tf.DataId): number;
  /** A new tensor of the backend, its data allocated in the heap (uninitialised). */
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: tf.DataId): boolean;
  /** A view of a tensor's data in the heap. */
  typedArrayFromHeap(t: tf.TensorInfo): HeapView;
}

/** The kernel's backend as the wasm backend (kernels registered for 'wasm' run on nothing else). */
export function wasmBackend(backend: unknown): WasmBackend {
  return backend as unknown as WasmBackend;
}

/**
 * The wasm heap's memory, which the SIMD kernels are instantiated on (they import it); undefined
 * where the backend exposes none.
 */
export function wasmHeap(backend: unknown): WebAssembly.Memory | undefined {
  const memory = wasmBackend(backend).wasm?.asm?.memory;
  return memory instanceof WebAssembly.Memory ? memory : undefined;
}
