/**
 * The webgpu-node suite (tfjs-backend-webgpu in Node on Dawn/Vulkan; setup-webgpu-node.ts): which
 * test files it leaves out, each with its reason. Read by vitest.config.ts. Never rename, skip or
 * comment out a test to keep it out of this suite: add it here.
 *
 * Synchronous reads: tfjs-backend-webgpu 4.22 reads a GPU tensor synchronously (dataSync,
 * arraySync) only through OffscreenCanvas, which Node lacks, and Dawn offers Node no blocking
 * read-back; @gcnn/backends turns the ReferenceError into a message that says to `await t.data()`.
 * The files below read GPU results synchronously, mostly through shared helpers: `relativeL2` /
 * `maxAbsDiff` of @gcnn/test-utils given tensors, `checkEquivariance` (@gcnn/group-conv/testing),
 * `describeGroupAxioms` (@gcnn/lie-groups/testing). They run on webgpu in Chromium (browser suite)
 * and join this suite once those reads are awaited.
 */
const SYNC_READ =
  'reads GPU tensors synchronously (dataSync or a test helper that does); impossible on webgpu in Node';

export const WEBGPU_NODE_EXCLUDED: ReadonlyArray<{ glob: string; reason: string }> = [
  {
    glob: 'packages/cli/**',
    reason:
      'the gcnn CLI picks its own backend per command and spawns processes; its webgpu path is the documented acceptance command (docs/guide/backends.md)',
  },
  ...[
    'packages/group-conv/src/layers/equivariance.test.ts',
    'packages/group-conv/src/layers/gradients.test.ts',
    'packages/group-conv/src/layers/group-batch-norm.test.ts',
    'packages/group-conv/src/layers/kernel-cache.test.ts',
    'packages/group-conv/src/layers/reference-parity.test.ts',
    'packages/group-conv/src/ops/mat-mul.test.ts',
    'packages/group-conv/src/ops/separable2d-group-conv2d.test.ts',
    'packages/kernel-nets/src/kernel-parity.test.ts',
    'packages/kernel-nets/src/masks.test.ts',
    'packages/kernel-nets/src/siren.test.ts',
    'packages/lie-groups/src/groups.test.ts',
    'packages/lie-groups/src/rotate90.test.ts',
    'packages/lie-groups/src/sample.test.ts',
    'packages/models/src/create-model.test.ts',
    'packages/models/src/invariance.test.ts',
    'packages/models/src/model-file.test.ts',
    'packages/models/src/reference-parity.test.ts',
    'packages/training/src/losses.test.ts',
    'packages/training/src/optimizers.test.ts',
    'packages/wasm-training/src/register.test.ts',
  ].map((glob) => ({ glob, reason: SYNC_READ })),
  {
    glob: 'packages/training/src/node/data-parallel-trainer.test.ts',
    reason:
      'data-parallel training over worker_threads: its worker threads select the suite backend themselves (@gcnn/backends); data parallelism is for the one-thread CPU backends (cpu, wasm), a Dawn device per worker thread is not a supported setup',
  },
  {
    glob: 'packages/wasm-training/**',
    reason: "the wasm backend's training kernels; every other file there skips off wasm",
  },
];
