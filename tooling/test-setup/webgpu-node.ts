import { WASM_KERNEL_TESTS } from './wasm-kernel-tests.js';

/**
 * The webgpu-node suite (tfjs-backend-webgpu in Node on Dawn/Vulkan; setup-webgpu-node.ts): which
 * test files it leaves out, each with its reason. Read by vitest.config.ts. Never rename, skip or
 * comment out a test to keep it out of this suite: add it here.
 *
 * Synchronous reads (dataSync, arraySync) of GPU tensors are impossible here: tfjs-backend-webgpu
 * 4.22 reads synchronously only through OffscreenCanvas, which Node lacks, and Dawn offers Node no
 * blocking read-back; @gcnn/backends turns the ReferenceError into a message that says to
 * `await t.data()`. Tests and the shared test helpers (`relativeL2` / `maxAbsDiff` of
 * @gcnn/test-utils, `checkEquivariance` of @gcnn/group-conv/testing, `describeGroupAxioms` of
 * @gcnn/lie-groups/testing) therefore read asynchronously, and no file is left out for reading.
 */
export const WEBGPU_NODE_EXCLUDED: ReadonlyArray<{ glob: string; reason: string }> = [
  {
    glob: 'packages/cli/**',
    reason:
      'the gcnn CLI picks its own backend per command and spawns processes; its webgpu path is the documented acceptance command (docs/guide/backends.md)',
  },
  {
    glob: 'packages/training/src/node/data-parallel-trainer.test.ts',
    reason:
      'data-parallel training over worker_threads: its worker threads select the suite backend themselves (@gcnn/backends); data parallelism is for the one-thread CPU backends (cpu, wasm), a Dawn device per worker thread is not a supported setup',
  },
  WASM_KERNEL_TESTS,
];
