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
}> = [];

/** The reason `test` is a known gap on `backend`, or undefined when it must pass. */
export function knownGap(test: string, backend: TestBackend): string | undefined {
  return KNOWN_GAPS.find((g) => g.test === test && g.backends.includes(backend))?.reason;
}
