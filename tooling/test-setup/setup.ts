/**
 * Per-backend test setup: selects the backend injected by the vitest project, silences tfjs'
 * "install tfjs-node" banner, and checks every test for leaked tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '@gcnn/tfjs-wasm-training';
import { beforeAll, inject } from 'vitest';
import './backend-independent-check';
import './leak-check';

declare module 'vitest' {
  export interface ProvidedContext {
    backend: 'cpu' | 'wasm' | 'webgl' | 'webgpu';
  }
}

beforeAll(async () => {
  // Silences tfjs' "install tfjs-node" banner. Not IS_TEST: that also turns on a kernel leak check
  // that counts the clones tf.customGrad saves as leaks on wasm (where clones copy data).
  tf.env().set('PROD', true);
  const backend = inject('backend');
  if (!(await tf.setBackend(backend)))
    throw new Error(`test setup: backend '${backend}' failed to initialise`);
  await tf.ready();
  // The wasm suite is the training-capable wasm backend gcnn ships (see packages/wasm-training).
  if (backend === 'wasm') registerWasmTrainingKernels();
});
