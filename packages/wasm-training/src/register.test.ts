import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterAll, describe, expect, it } from 'vitest';
import {
  registerWasmTrainingKernels,
  unregisterWasmTrainingKernels,
  WASM_TRAINING_KERNELS,
  wasmTrainingKernelsRegistered,
} from './register';

// Runs in both projects: registering touches backend 'wasm' only, so on cpu it must be harmless.
describe('registerWasmTrainingKernels', () => {
  afterAll(() => {
    registerWasmTrainingKernels();
  });

  it('registers for wasm only, is idempotent, and unregister restores the stock kernels', () => {
    unregisterWasmTrainingKernels();
    const stockMaxPoolGrad = tf.getKernel('MaxPoolGrad', 'wasm');
    const cpuKernels = WASM_TRAINING_KERNELS.map((k) => tf.getKernel(k.kernelName, 'cpu'));
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    const names = registerWasmTrainingKernels();
    expect(registerWasmTrainingKernels()).toEqual(names);
    expect(wasmTrainingKernelsRegistered()).toBe(true);
    for (const config of WASM_TRAINING_KERNELS)
      expect(tf.getKernel(config.kernelName, 'wasm')).toBe(config);
    expect(WASM_TRAINING_KERNELS.map((k) => tf.getKernel(k.kernelName, 'cpu'))).toEqual(cpuKernels);
    unregisterWasmTrainingKernels();
    expect(tf.getKernel('MaxPoolGrad', 'wasm')).toBe(stockMaxPoolGrad);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
  });

  it('leaves gradients on the active backend working', async () => {
    registerWasmTrainingKernels();
    const g = tf.tidy(() =>
      tf.grad((x: tf.Tensor) => tf.sum(tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid')))(
        tf.tensor4d([1, 2, -1, -2, 3, 4, -3, -4], [1, 2, 4, 1]),
      ),
    );
    const values = Array.from(await g.data());
    g.dispose();
    expect(values).toEqual([0, 0, 1, 0, 0, 1, 0, 0]);
  });
});
