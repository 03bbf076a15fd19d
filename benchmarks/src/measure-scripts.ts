/**
 * The measuring processes' scripts (measure.ts, its worker threads' replica.ts, ceiling.ts) as
 * plain JavaScript, so that each measurement runs in `node` as an app or `gcnn train` would: under
 * tsx, the TypeScript loader added about 50 MiB to a measuring process's peak RSS and about 70 MiB
 * with a worker thread, which loads it too (docs/benchmarks.md, "Side by side with the
 * reference"); the reference's Python process has no counterpart of it.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

/** Where the bundles go (git-ignored); measure.js finds replica.js beside it (siblingModuleUrl). */
export const MEASURE_SCRIPTS_DIR = join(here, '..', '.build');

/** Bundles the three scripts into {@link MEASURE_SCRIPTS_DIR}; packages stay imports of their dist. */
export async function buildMeasureScripts(): Promise<{ measure: string; ceiling: string }> {
  await build({
    entryPoints: ['measure', 'replica', 'ceiling'].map((name) => join(here, `${name}.ts`)),
    outdir: MEASURE_SCRIPTS_DIR,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  return {
    measure: join(MEASURE_SCRIPTS_DIR, 'measure.js'),
    ceiling: join(MEASURE_SCRIPTS_DIR, 'ceiling.js'),
  };
}
