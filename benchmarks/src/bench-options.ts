import { parseArgs } from 'node:util';
import { BENCH_CONFIGS } from './configs';

/** What `pnpm bench [flags]` was asked to do. */
export interface BenchOptions {
  /** The small matrix (train16 and infer64; 1 warm-up, 2 repetitions). */
  quick: boolean;
  /** Longest wait (s) for the 1-minute load average to drop below 1.2 before each process. */
  maxWait: number;
  /** Folder holding the reference's package `ck_g_cnn/`: time it side by side in this run. */
  reference?: string;
  /** Python with torch for the reference (default: the first of `python3`, `/usr/bin/python3` with torch). */
  python?: string;
  /**
   * How the reference's Python allocates (`--reference-malloc`): `stock` (glibc as installed,
   * as users run it), `retain` (glibc told to keep freed memory, see reference-runner.ts) or
   * `both` (each cell of the step matrix measured both ways, next to each other).
   */
  referenceMalloc: ReferenceMalloc | 'both';
  /** The main job (train + evaluate) of gcnn and the reference instead of the step matrix. */
  mainJob: boolean;
  /**
   * Only these configurations (`--configs a,b`): a partial run, written to
   * `latest-partial.json`/`.md`, never into docs/benchmarks.md.
   */
  configs?: string[];
}

export type ReferenceMalloc = 'stock' | 'retain';

/** The allocators a run measures the reference with, in order (`both`: as installed first). */
export function referenceMallocs(choice: ReferenceMalloc | 'both'): ReferenceMalloc[] {
  return choice === 'both' ? ['stock', 'retain'] : [choice];
}

/**
 * What `retain` adds to the reference's environment: glibc maps no block on its own and trims
 * its heap only once 2^46 bytes at its top are free (in practice never), so what torch frees
 * stays in the process for reuse.
 */
export const RETAIN_MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_MMAP_MAX_: '0',
  MALLOC_TRIM_THRESHOLD_: String(2 ** 46),
};

/** How a report describes the reference's allocator (absent in reports before 2026-12-07: stock). */
export function referenceMallocPhrase(malloc: ReferenceMalloc = 'stock'): string {
  const settings = Object.entries(RETAIN_MALLOC_ENV)
    .map(([name, value]) => `\`${name}=${value}\``)
    .join(', ');
  return malloc === 'retain'
    ? `glibc told to keep freed memory (\`--reference-malloc retain\`: ${settings}), so it reuses its memory instead of faulting it in again on every call`
    : 'glibc as installed (large freed blocks go back to the kernel and are faulted in again on the next call; `--reference-malloc retain` measures the reference with its memory kept)';
}

/** A mistake in how `pnpm bench` was called (flags, the reference folder, the Python). */
export class BenchUsageError extends Error {
  override name = 'BenchUsageError';
}

export const BENCH_USAGE =
  'usage: pnpm bench [--quick] [--max-wait=<s>] [--configs <id,…>] [--reference <dir> [--python <exe>] [--reference-malloc stock|retain|both] [--main-job]]';

/** Parses the flags of `pnpm bench` (pnpm may pass a leading `--`); throws naming a bad one. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(args).values;
  } catch (error) {
    throw new BenchUsageError(`pnpm bench: ${(error as Error).message}`);
  }
  const maxWait = Number(values['max-wait'] ?? 120);
  if (!Number.isFinite(maxWait) || maxWait < 0) {
    throw new BenchUsageError(
      `pnpm bench: --max-wait must be a number of seconds ≥ 0, got '${values['max-wait']}'`,
    );
  }
  const { reference, python } = values;
  if (reference === '' || python === '') {
    throw new BenchUsageError(
      `pnpm bench: --${reference === '' ? 'reference' : 'python'} needs a value`,
    );
  }
  if (python !== undefined && reference === undefined) {
    throw new BenchUsageError(
      'pnpm bench: --python selects the Python of --reference <dir>; give both',
    );
  }
  const referenceMalloc = values['reference-malloc'] ?? 'stock';
  if (referenceMalloc !== 'stock' && referenceMalloc !== 'retain' && referenceMalloc !== 'both') {
    throw new BenchUsageError(
      `pnpm bench: --reference-malloc must be stock, retain or both, got '${referenceMalloc}'`,
    );
  }
  if (values['reference-malloc'] !== undefined && reference === undefined) {
    throw new BenchUsageError(
      "pnpm bench: --reference-malloc sets how the reference's Python allocates; it needs --reference <dir>",
    );
  }
  const mainJob = values['main-job'] ?? false;
  if (mainJob && reference === undefined) {
    throw new BenchUsageError(
      'pnpm bench: --main-job runs gcnn and the reference side by side; it needs --reference <dir>',
    );
  }
  if (mainJob && referenceMalloc === 'both') {
    throw new BenchUsageError(
      'pnpm bench: --main-job measures the reference once; give --reference-malloc stock or retain, and run it again for the other',
    );
  }
  const configs = values.configs?.split(',').map((id) => id.trim());
  const known = BENCH_CONFIGS.map((c) => c.id);
  const unknown = configs?.find((id) => !known.includes(id));
  if (configs !== undefined && (unknown !== undefined || configs.length === 0)) {
    throw new BenchUsageError(
      `pnpm bench: --configs takes configuration ids separated by commas (${known.join(', ')}), got '${values.configs}'`,
    );
  }
  if (configs !== undefined && mainJob) {
    throw new BenchUsageError(
      'pnpm bench: --configs selects step configurations; --main-job has none',
    );
  }
  return {
    quick: values.quick ?? false,
    maxWait,
    reference,
    python,
    referenceMalloc,
    mainJob,
    ...(configs ? { configs } : {}),
  };
}

const parse = (args: string[]) =>
  parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      quick: { type: 'boolean' },
      'max-wait': { type: 'string' },
      reference: { type: 'string' },
      python: { type: 'string' },
      'reference-malloc': { type: 'string' },
      'main-job': { type: 'boolean' },
      configs: { type: 'string' },
    },
  });
