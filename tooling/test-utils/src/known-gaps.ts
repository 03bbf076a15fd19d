import type { TestBackend } from './test-backend';

/**
 * The one table of known gaps: tests that cannot pass on a backend yet, each with its reason and
 * the issue that tracks it. A test consults it with {@link knownGap} and is skipped there (never
 * renamed, loosened or commented out).
 */
const KNOWN_GAPS: ReadonlyArray<{
  test: string;
  backends: readonly TestBackend[];
  reason: string;
}> = [
  {
    test: 'models/cross-backend-training-step',
    backends: ['webgpu'],
    reason:
      'tfjs-backend-webgpu 4.22 (SwiftShader): whole-network gradients differ from cpu by rel. L2 2e-3 (nonseparable) to 8e-2 (separable variants), although every op we use (conv2d, depthwise, matMul, batched matMul, maxPool, transposes up to rank 6, reductions) agrees to 2e-7 in isolation and webgl matches; in Chromium the finite-difference gradient checks fail on a different case from run to run, so the gradients of that backend look nondeterministic; tracked in issue 7',
  },
];

/** The reason `test` is a known gap on `backend`, or undefined when it must pass. */
export function knownGap(test: string, backend: TestBackend): string | undefined {
  return KNOWN_GAPS.find((g) => g.test === test && g.backends.includes(backend))?.reason;
}
