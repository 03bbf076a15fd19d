import type * as tf from '@tensorflow/tfjs-core';
import { KernelScope } from './kernel-scope';

/** A composite wasm kernel: builds its result from other wasm kernels inside a `KernelScope`. */
export type CompositeKernel = (
  s: KernelScope,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap,
) => tf.TensorInfo;

/**
 * A `KernelConfig` for backend 'wasm' whose intermediates are all disposed, on success and on
 * error, so the kernel never leaks backend data ids.
 */
export function defineWasmKernel(kernelName: string, body: CompositeKernel): tf.KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const s = new KernelScope(backend as tf.KernelBackend, kernelName);
      try {
        return s.finish(body(s, inputs, attrs ?? {}));
      } catch (e) {
        s.dispose();
        throw e;
      }
    },
  };
}
