import type * as tf from '@tensorflow/tfjs-core';
import { guardWasmHeap } from './heap-guard';

interface RefCountingBackend {
  incRef(dataId: tf.DataId): void;
}

/**
 * `Identity` (what `tf.clone` runs) that shares the input's data, as tfjs-backend-cpu does (the
 * backend refcounts data ids, as for `Reshape`). The stock wasm kernel copies: tfjs clones every
 * tensor it saves for a gradient (`keep(clone(t))`), so on wasm each saved activation was
 * duplicated on the 4 GiB heap — the Sim(2) separable+2d model ran out of it at batch 16.
 * Tensors are immutable (variables swap data ids on assign), so sharing is safe.
 */
export const identityConfig: tf.KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    guardWasmHeap(backend as tf.KernelBackend);
    const x = inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') {
      throw new Error(
        'Error in Identity (wasm, @gcnn/tfjs-wasm-training): string tensors are not supported',
      );
    }
    (backend as unknown as RefCountingBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  },
};
