import * as tf from '@tensorflow/tfjs-core';

/** Live and peak bytes of tensor data while a {@link meterBufferBytes} meter runs. */
export interface BufferBytesMeter {
  /** Bytes of the tensor data buffers allocated since the meter started and still live. */
  readonly bytes: number;
  /** The largest {@link bytes} seen since the start (or the last {@link reset}). */
  readonly peakBytes: number;
  /** Sets the peak to the current bytes. */
  reset(): void;
  /** Stops counting (idempotent). */
  stop(): void;
}

interface DataInfo {
  backend: unknown;
  bytes: number;
}

interface EngineHooks {
  state: { tensorInfo: WeakMap<object, DataInfo> };
  trackTensor(a: tf.Tensor, backend: unknown): void;
  removeDataId(dataId: object, backend: unknown): void;
}

/**
 * Counts the bytes of tensor data buffers allocated and freed from now on, each buffer once
 * however many tensors share it (reshapes, clones): what a backend's memory actually holds for
 * tensors, unlike `tf.memory().numBytes`, which counts every tensor (a reshaped map twice).
 * Temporary buffers a kernel allocates and frees inside itself are not seen. For measuring a
 * training step's peak ({@link BufferBytesMeter.peakBytes}); one meter at a time.
 */
export function meterBufferBytes(): BufferBytesMeter {
  const engine = tf.engine() as unknown as EngineHooks;
  const { trackTensor, removeDataId } = engine;
  if (typeof trackTensor !== 'function' || typeof removeDataId !== 'function') {
    throw new Error(
      'Error in meterBufferBytes: this @tensorflow/tfjs-core has no 4.x engine hooks',
    );
  }
  const info = engine.state.tensorInfo;
  let bytes = 0;
  let peak = 0;
  engine.trackTensor = function (this: EngineHooks, a, backend) {
    const fresh = !info.has(a.dataId);
    trackTensor.call(this, a, backend);
    if (fresh) {
      bytes += info.get(a.dataId)?.bytes ?? 0;
      peak = Math.max(peak, bytes);
    }
  };
  engine.removeDataId = function (this: EngineHooks, dataId, backend) {
    const before = info.get(dataId);
    removeDataId.call(this, dataId, backend);
    if (before && !info.has(dataId)) bytes -= before.bytes;
  };
  let stopped = false;
  return {
    get bytes() {
      return bytes;
    },
    get peakBytes() {
      return peak;
    },
    reset() {
      peak = bytes;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      engine.trackTensor = trackTensor;
      engine.removeDataId = removeDataId;
    },
  };
}
