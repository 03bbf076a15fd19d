/**
 * Browser test setup (vitest browser mode in headless Chromium): selects the GPU backend injected
 * by the vitest project (`webgl` or `webgpu`) and checks every test for leaked tensors, exactly as
 * setup.ts does for the Node backends. Which test files run here: tooling/test-setup/browser.ts.
 */
import { registerWebGpuKernelFixes } from '@gcnn/backends';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu'; // the reference backend of cross-backend tests
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { beforeAll, inject } from 'vitest';
import './backend-independent-check';
import './leak-check';

declare module 'vitest' {
  export interface ProvidedContext {
    backend: 'cpu' | 'wasm' | 'webgl' | 'webgpu';
  }
}

beforeAll(async () => {
  // Same as setup.ts: quiet, and no IS_TEST kernel leak check.
  tf.env().set('PROD', true);
  const backend = inject('backend');
  if (!(await tf.setBackend(backend)))
    throw new Error(`test setup: backend '${backend}' failed to initialise in this browser`);
  // As selectBackend('webgpu') does: gcnn's corrections of tfjs-backend-webgpu's kernels.
  if (backend === 'webgpu' && !registerWebGpuKernelFixes())
    throw new Error("test setup: gcnn's webgpu kernel fixes could not be registered");
  await tf.ready();
});
