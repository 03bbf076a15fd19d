import * as tf from '@tensorflow/tfjs-core';
import { guardWasmHeap } from './heap-guard';
import { vecMatKernel } from './simd/vec-mat-module';
import { runStockKernel } from './stock-kernels';

const NAME = 'BatchMatMul';

interface WasmBackendLike {
  wasm?: { asm?: { memory?: unknown } };
  getMemoryOffset(dataId: tf.DataId): number;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/**
 * `BatchMatMul` for wasm: a row vector times a matrix (`[1, K]·[K, N]`, batch 1, no transposes,
 * float32, `N % 4 = 0`) runs the SIMD kernel of `simd/vec-mat-module.ts` (≈ 30× the stock kernel
 * there: `[1, 100352]·[100352, 32]` 12 ms → 0.4 ms); every other case runs the stock kernel.
 * That shape is the per-channel sum `1ᵀ·x` of the group batch norms, 4 per norm and step.
 */
export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: NAME,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { inputs, attrs, backend } = args;
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    const be = backend as unknown as WasmBackendLike;
    const memory = be.wasm?.asm?.memory;
    const k = a.shape[a.shape.length - 1] as number;
    const n = b.shape[b.shape.length - 1] as number;
    if (
      !transposeA &&
      !transposeB &&
      a.dtype === 'float32' &&
      b.dtype === 'float32' &&
      a.shape.length >= 2 &&
      b.shape.length >= 2 &&
      tf.util.sizeFromShape(a.shape) === k && // one row, batch 1
      tf.util.sizeFromShape(b.shape) === k * n &&
      b.shape[b.shape.length - 2] === k &&
      memory instanceof WebAssembly.Memory
    ) {
      const kernel = vecMatKernel(memory, n);
      if (kernel) {
        guardWasmHeap(backend as tf.KernelBackend);
        const batch = tf.broadcast_util.assertAndGetBroadcastShape(
          a.shape.slice(0, -2),
          b.shape.slice(0, -2),
        );
        const out = be.makeOutput([...batch, 1, n], 'float32');
        const at = (t: tf.TensorInfo) => be.getMemoryOffset(t.dataId);
        kernel(at(a), at(b), at(out), k, n);
        return out;
      }
    }
    return runStockKernel(NAME, args);
  },
};
