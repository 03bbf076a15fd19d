/**
 * Runs benchmarks/reference/bench_reference.py, the project's timing script for the PyTorch
 * reference, and reads its `RESULT <json>` lines.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchUsageError, RETAIN_MALLOC_ENV, type ReferenceMalloc } from './bench-options';
import type { FailedMeasurement, ReferenceMeasurement } from './bench-report';

/** The Python script, beside this folder. */
export const REFERENCE_SCRIPT = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'reference',
  'bench_reference.py',
);

/** A Python that can run the reference, and the reference folder. */
export interface ReferenceSetup {
  python: string;
  /** Absolute folder holding `ck_g_cnn/`. */
  dir: string;
  torch: string;
  pythonVersion: string;
}

/**
 * The environment of the reference's Python. `stock` leaves glibc as installed: every large
 * tensor torch frees goes back to the kernel (glibc maps blocks above its mmap threshold, at
 * most 32 MiB, and unmaps them on free), so each call faults its activations in again, page by
 * page (SE(2) separable inference at batch 64 on 2026-12-07: 190,000–360,000 minor faults and a
 * third to a half of the call's CPU time in the kernel). What a fault costs depends on the
 * machine's hypervisor and memory, which is one reason why the reference's times move between
 * days. `retain` adds {@link RETAIN_MALLOC_ENV}: glibc maps nothing on its own and never trims
 * its heap, so freed memory is reused: the reference as a deployment tuned
 * for speed might run it, at a higher peak RSS.
 */
export function referenceEnv(malloc: ReferenceMalloc): NodeJS.ProcessEnv {
  if (malloc === 'stock') return process.env;
  return { ...process.env, ...RETAIN_MALLOC_ENV };
}

/** Warm-ups, repetitions and the slow-step threshold (ms) of measure.ts, for the reference too. */
export interface Timing {
  warmup: number;
  reps: number;
  slowMs: number;
}

/** Resolves `--reference <dir>`; throws unless it holds the package `ck_g_cnn/`. */
export function checkReferenceDir(dir: string): string {
  const abs = resolve(dir);
  if (!existsSync(join(abs, 'ck_g_cnn', '__init__.py'))) {
    throw new BenchUsageError(
      `pnpm bench: --reference ${dir} must be the folder holding the reference's package ck_g_cnn/ (a clone of david-knigge/separable-group-convolutional-networks at commit e2de2bd); ${join(dir, 'ck_g_cnn', '__init__.py')} not found`,
    );
  }
  return abs;
}

const PROBE = 'import platform, torch, numpy; print(torch.__version__, platform.python_version())';

/**
 * The Python to run the reference with: `explicit` (`--python`), else the first of `python3` on
 * PATH and Debian's `/usr/bin/python3` (python3-torch) that imports torch and numpy.
 */
export function findPython(dir: string, explicit?: string): ReferenceSetup {
  const candidates = explicit ? [explicit] : ['python3', '/usr/bin/python3'];
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', PROBE], { encoding: 'utf8' });
    const [torch, pythonVersion] = (probe.stdout ?? '').trim().split(' ');
    if (probe.status === 0 && torch && pythonVersion) return { python, dir, torch, pythonVersion };
  }
  throw new BenchUsageError(
    explicit
      ? `pnpm bench: --python ${explicit} cannot import torch and numpy`
      : 'pnpm bench: --reference needs a Python with torch and numpy: neither python3 nor /usr/bin/python3 has them (Debian: apt-get install -y --no-install-recommends python3-torch python3-numpy), or give --python <exe>',
  );
}

/** `git rev-parse --short HEAD` of the reference folder (the expected commit is e2de2bd). */
export function referenceCommit(dir: string): string {
  try {
    return execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown (not a git clone)';
  }
}

/** Arguments of bench_reference.py `step` for one cell. */
export function referenceStepArgs(
  setup: ReferenceSetup,
  configsFile: string,
  cell: { config: string; mode: string },
  timing: Timing,
  threads = 2,
): string[] {
  return [
    REFERENCE_SCRIPT,
    'step',
    '--reference',
    setup.dir,
    '--configs',
    configsFile,
    '--config',
    cell.config,
    '--mode',
    cell.mode,
    '--warmup',
    String(timing.warmup),
    '--reps',
    String(timing.reps),
    '--slow-ms',
    String(timing.slowMs),
    '--threads',
    String(threads),
  ];
}

/** The JSON objects of a process's `RESULT <json>` lines (other lines are ignored). */
export function parseResultLines(stdout: string, what: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('RESULT '))
    .map((l, i) => {
      let value: unknown;
      try {
        value = JSON.parse(l.slice('RESULT '.length));
      } catch (error) {
        throw new Error(`${what}: RESULT line ${i + 1} is not JSON: ${(error as Error).message}`);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new Error(`${what}: RESULT line ${i + 1} is not a JSON object`);
      }
      return value as Record<string, unknown>;
    });
}

const NUMBERS = ['medianMs', 'minMs', 'maxMs', 'imagesPerSecond', 'peakRssMiB', 'params'] as const;

/**
 * A `step` RESULT object as a measurement (with `loadBefore`), or a failed one when the script
 * reported an error; throws naming the field when the object lacks one.
 */
export function toReferenceResult(
  json: Record<string, unknown>,
  loadBefore: number,
): ReferenceMeasurement | FailedMeasurement {
  const { config, mode, backend } = json;
  if (typeof config !== 'string' || typeof mode !== 'string' || typeof backend !== 'string') {
    throw new Error(
      `bench_reference.py: a RESULT needs string config, mode and backend, got ${JSON.stringify({ config, mode, backend })}`,
    );
  }
  if (typeof json.error === 'string')
    return { config, mode, backend, error: json.error, loadBefore };
  for (const key of NUMBERS) {
    if (typeof json[key] !== 'number' || !Number.isFinite(json[key])) {
      throw new Error(
        `bench_reference.py: RESULT of ${config} ${mode} has ${key} = ${JSON.stringify(json[key])}, expected a finite number`,
      );
    }
  }
  return { ...json, config, mode, backend, loadBefore } as ReferenceMeasurement;
}

/** The last error line of a failed process's stderr (a JS/Python `…Error:` line or the script's own message). */
export function lastErrorLine(stderr: string, fallback: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return (
    lines.filter((l) => /^([A-Z]\w*Error\b|bench_reference\.py:)/.test(l)).pop() ??
    lines.pop() ??
    fallback
  );
}

/** Measures one cell of the reference in its own Python process, its allocator set up as `cell.malloc`. */
export function runReferenceCell(
  setup: ReferenceSetup,
  configsFile: string,
  cell: { config: string; mode: string; malloc: ReferenceMalloc },
  timing: Timing,
  loadBefore: number,
): ReferenceMeasurement | FailedMeasurement {
  const { config, mode } = cell;
  const args = referenceStepArgs(setup, configsFile, { config, mode }, timing);
  const out = spawnSync(setup.python, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
    env: referenceEnv(cell.malloc),
  });
  const results = out.status === 0 ? parseResultLines(out.stdout, 'bench_reference.py') : [];
  if (results.length !== 1) {
    const error = lastErrorLine(
      out.stderr ?? '',
      out.error?.message ?? `exit ${out.status}, ${results.length} RESULT lines`,
    );
    return { config, mode, backend: 'torch-cpu', error, loadBefore };
  }
  return toReferenceResult(results[0]!, loadBefore);
}
