/**
 * The webgpu-node suite's setup: tfjs-backend-webgpu in Node on Dawn (the `webgpu` npm package),
 * selected through @gcnn/backends exactly as the CLI does, on whatever Vulkan driver the machine
 * has (CI: SwiftShader from Debian's chromium via VK_ICD_FILENAMES; see scripts/test.mjs). Checks
 * every test for leaked tensors, as setup.ts does. docs/guide/testing.md, docs/guide/backends.md.
 */
import { registerWebGpuKernelFixes, selectBackend } from '@gcnn/backends';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu'; // the reference backend of cross-backend tests
import { beforeAll } from 'vitest';
import './backend-independent-check';
import './leak-check';

const announced = globalThis as { gcnnWebGpuAnnounced?: boolean };

beforeAll(async () => {
  tf.env().set('PROD', true);
  if (tf.findBackend('webgpu') && (await tf.setBackend('webgpu'))) {
    registerWebGpuKernelFixes(); // as selectBackend did for the first file (idempotent)
    await tf.ready();
    return;
  }
  await selectBackend('webgpu', {
    log: (line) => {
      if (!announced.gcnnWebGpuAnnounced) console.log(`[webgpu-node] ${line}`);
      announced.gcnnWebGpuAnnounced = true;
    },
  });
});
