/**
 * The test files of `@gcnn/tfjs-wasm-training`'s kernels, but register.test.ts. Each compares a
 * wasm kernel with cpu and skips off wasm; what they check without a backend (e.g. `mergeAxes`)
 * runs in `cpu`. So the `webgpu-node` and browser projects leave them out instead of loading them
 * to skip them. register.test.ts runs everywhere: registering the wasm kernels must leave the
 * active backend's gradients working.
 */
export const WASM_KERNEL_TESTS = {
  glob: 'packages/wasm-training/src/**/!(register).test.ts',
  reason: "the wasm backend's training kernels: compared with cpu on wasm, skipped off wasm",
} as const;
