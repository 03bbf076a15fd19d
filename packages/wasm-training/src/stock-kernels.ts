import type * as tf from '@tensorflow/tfjs-core';

/** Stock wasm kernels replaced by `registerWasmTrainingKernels`, restored on unregister. */
export const stockKernels = new Map<string, tf.KernelConfig>();

/** Runs the stock wasm kernel `name` (replaced by ours) on a case ours does not handle. */
export function runStockKernel(
  name: string,
  args: Parameters<tf.KernelFunc>[0],
): ReturnType<tf.KernelFunc> {
  const stock = stockKernels.get(name);
  if (!stock) {
    throw new Error(
      `Error in ${name} (wasm, @gcnn/tfjs-wasm-training): the stock kernel is not registered; import @tensorflow/tfjs-backend-wasm before registerWasmTrainingKernels()`,
    );
  }
  return stock.kernelFunc(args);
}
