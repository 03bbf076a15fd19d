/**
 * Test files whose results cannot depend on the tfjs backend: they create no tensor and do not read
 * the suite's backend (`inject('backend')`, `testBackend()`), e.g. parsers of file formats, the
 * random number generators, config validation. They run once per JavaScript environment: in the
 * `cpu` project (Node) and, unless Node-only, in the `webgl` project (Chromium); the `wasm`,
 * `webgpu-node` and `webgpu` projects leave them out. Every other test file runs on every backend.
 *
 * Checked, so the list cannot hide a backend-sensitive test: vitest.config.ts fails when a listed
 * file is missing or mentions the suite's backend, and backend-independent-check.ts fails a test
 * of a listed file that creates a tensor. docs/guide/testing.md ("Which files run where").
 */
export const BACKEND_INDEPENDENT_TESTS: ReadonlyArray<{ file: string; reason: string }> = [
  ...[
    'packages/datasets/src/parse-amat.test.ts',
    'packages/datasets/src/parse-cifar.test.ts',
    'packages/datasets/src/parse-idx.test.ts',
    'packages/datasets/src/parse-stl10.test.ts',
  ].map((file) => ({ file, reason: 'a dataset file parser: bytes in, typed arrays out' })),
  ...[
    'packages/datasets/src/augmentations.test.ts',
    'packages/datasets/src/dataset.test.ts',
    'packages/datasets/src/warp-image.test.ts',
  ].map((file) => ({
    file,
    reason: 'dataset plumbing and image warps on typed arrays (the tensor batching is to-batch)',
  })),
  ...[
    'packages/datasets/src/generate-mnist-variant.test.ts',
    'packages/datasets/src/node/load-binary-sets.test.ts',
    'packages/datasets/src/node/load-galaxy10.test.ts',
    'packages/datasets/src/node/load-mnist-rot-files.test.ts',
    'packages/datasets/src/node/load-mnist-variant.test.ts',
    'packages/datasets/src/node/load-mnist.test.ts',
    'packages/datasets/src/root-entry.test.ts',
  ].map((file) => ({ file, reason: "the datasets' Node loaders and files: typed arrays" })),
  ...[
    'packages/lie-groups/src/random/rng.test.ts',
    'packages/lie-groups/src/random/xoshiro128.test.ts',
  ].map((file) => ({ file, reason: 'the random number generators (plain JS)' })),
  {
    file: 'packages/models/src/validate-model-config.test.ts',
    reason: 'model config validation: JSON in, errors out',
  },
  ...[
    'packages/torch-import/src/pickle/unpickle.test.ts',
    'packages/torch-import/src/zip/read-zip.test.ts',
  ].map((file) => ({ file, reason: 'the PyTorch checkpoint container (zip, pickle): bytes' })),
  ...['packages/training/src/lr-schedule.test.ts', 'packages/training/src/step-plan.test.ts'].map(
    (file) => ({ file, reason: 'learning-rate schedules and step plans: numbers' }),
  ),
  {
    file: 'packages/training/src/node/atomic-write-file.test.ts',
    reason: 'atomic file writes: bytes',
  },
  {
    file: 'packages/training/src/node/sibling-module-url.test.ts',
    reason: 'worker entry URLs: strings',
  },
];
