/**
 * `pnpm bench [--quick] [--max-wait=<s>] [--configs <id,…>] [--reference <dir> [--python <exe>]
 * [--reference-malloc stock|retain|both] [--main-job]]` (bench-options.ts): every measurement in
 * its own process (src/measure.ts for gcnn, bundled to plain JavaScript by measure-scripts.ts and
 * run by `node`; with `--reference`, ../reference/bench_reference.py for the PyTorch reference,
 * interleaved cell by cell and, with `both`, once per allocator, see bench-plan.ts),
 * sequentially, each after the 1-minute load average drops below 1.2 (or `--max-wait` seconds
 * passed; the load is recorded with every result). Writes benchmarks/results/latest.json and
 * .md (`latest-partial` with `--configs`, else `latest-quick` with `--quick`); a full run of every
 * configuration also writes the table between the `bench` markers of docs/benchmarks.md.
 * `--main-job`: main-job.ts instead.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  BENCH_USAGE,
  type BenchOptions,
  BenchUsageError,
  parseBenchOptions,
  type ReferenceMalloc,
  referenceMallocs,
} from './bench-options';
import { type BenchStep, benchJobs, interleave, type Job } from './bench-plan';
import type {
  BenchReport,
  CeilingSet,
  GcnnResult,
  ReferenceResult,
  ReferenceRun,
} from './bench-report';
import { renderBenchTable } from './bench-table';
import { BENCH_CONFIGS, benchConfigsJson } from './configs';
import { summarize } from './flops';
import { machine } from './machine';
import { buildMeasureScripts } from './measure-scripts';
import {
  checkReferenceDir,
  findPython,
  lastErrorLine,
  type ReferenceSetup,
  referenceCommit,
  runReferenceCell,
  type Timing,
} from './reference-runner';
import { waitQuiet } from './wait-quiet';
import { writeResults } from './write-results';

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/**
 * One gcnn measurement in its own process (`measureScript`: measure.ts bundled by
 * measure-scripts.ts); a failure becomes a row with its error.
 */
function runGcnnJob(
  job: Job,
  timing: Timing,
  measureScript: string,
  loadBefore: number,
): GcnnResult {
  try {
    const out = execFileSync(
      process.execPath,
      [measureScript, job.config, job.backend, job.mode, `${timing.warmup}`, `${timing.reps}`],
      { encoding: 'utf8', env: { ...process.env, GCNN_BENCH_SLOW_MS: `${timing.slowMs}` } },
    );
    return { ...JSON.parse(out.trim().split('\n').pop()!), loadBefore };
  } catch (e) {
    // A row in the table too (e.g. the wasm heap's 4 GiB limit), with the process's last error line.
    const error = lastErrorLine(
      String((e as { stderr?: unknown }).stderr ?? ''),
      (e as Error).message.split('\n')[0]!,
    );
    return { ...job, error, loadBefore };
  }
}

function describe(r: GcnnResult | ReferenceResult): string {
  if (r.error !== undefined) return `FAILED ${r.error.slice(0, 300)}`;
  return `median ${s(r.medianMs)} (min ${s(r.minMs)}, max ${s(r.maxMs)}), RSS ${r.peakRssMiB.toFixed(0)} MiB`;
}

/** Runs the steps in order; returns gcnn's results and the reference's, by allocator. */
function runSteps(
  steps: readonly BenchStep[],
  options: BenchOptions,
  timing: Timing,
  measureScript: string,
  reference?: { setup: ReferenceSetup; configsFile: string },
) {
  const results: GcnnResult[] = [];
  const referenceResults: Record<ReferenceMalloc, ReferenceResult[]> = { stock: [], retain: [] };
  for (const step of steps) {
    const loadBefore = waitQuiet(options.maxWait);
    const t0 = Date.now();
    let r: GcnnResult | ReferenceResult;
    let label: string;
    if (step.kind === 'gcnn') {
      r = runGcnnJob(step.job, timing, measureScript, loadBefore);
      results.push(r);
      label = `${step.job.config} ${step.job.backend} ${step.job.mode}`;
    } else {
      r = runReferenceCell(reference!.setup, reference!.configsFile, step, timing, loadBefore);
      referenceResults[step.malloc].push(r);
      label = `${step.config} reference (${step.malloc}) ${step.mode}`;
    }
    console.log(
      `${label}: ${describe(r)}, load ${loadBefore.toFixed(2)} [${((Date.now() - t0) / 1000).toFixed(0)} s]`,
    );
  }
  return { results, referenceResults };
}

const utf8 = { encoding: 'utf8' } as const;
const lastLine = (out: string) => out.trim().split('\n').pop()!;

/**
 * ceiling.ts in two processes started together: each core's rates while the other core works too
 * (shared caches and memory), which is what a two-thread measurement gets.
 */
async function ceilingInTwoProcesses(script: string): Promise<[CeilingSet, CeilingSet]> {
  const run = promisify(execFile);
  const outs = await Promise.all([0, 1].map(() => run(process.execPath, [script], utf8)));
  return outs.map(({ stdout }) => JSON.parse(lastLine(stdout))) as [CeilingSet, CeilingSet];
}

async function main(options: BenchOptions): Promise<void> {
  if (options.mainJob) {
    const { runMainJob } = await import('./main-job');
    return runMainJob(options);
  }
  const dir = options.reference === undefined ? undefined : checkReferenceDir(options.reference);
  const setup = dir === undefined ? undefined : findPython(dir, options.python);
  const mallocs = setup ? referenceMallocs(options.referenceMalloc) : [];
  const timing: Timing = options.quick
    ? { warmup: 1, reps: 2, slowMs: 4000 }
    : { warmup: 2, reps: 5, slowMs: 8000 };
  const steps = interleave(benchJobs(options.quick, options.configs), mallocs);
  const started = new Date();
  console.log(
    `gcnn bench (${options.quick ? 'quick' : 'full'}${options.configs ? `, only ${options.configs.join(', ')}` : ''}): ${steps.length} measurements${setup ? `, the reference side by side (torch ${setup.torch}, ${setup.python}, --reference-malloc ${options.referenceMalloc})` : ''}`,
  );
  const scripts = await buildMeasureScripts();
  const ceilingLoad = waitQuiet(options.maxWait);
  const ceiling = JSON.parse(lastLine(execFileSync(process.execPath, [scripts.ceiling], utf8)));
  console.log(`ceiling (wasm, load ${ceilingLoad.toFixed(2)}):`, JSON.stringify(ceiling));
  const ceilingTwoAtOnce = await ceilingInTwoProcesses(scripts.ceiling);
  console.log('ceiling, two processes at once:', JSON.stringify(ceilingTwoAtOnce));
  const scratch = mkdtempSync(join(tmpdir(), 'gcnn-bench-'));
  try {
    const configsFile = join(scratch, 'configs.json');
    writeFileSync(configsFile, benchConfigsJson());
    const run = runSteps(steps, options, timing, scripts.measure, setup && { setup, configsFile });
    const reference: ReferenceRun | undefined = setup && {
      torch: setup.torch,
      python: setup.pythonVersion,
      threads: 2,
      commit: referenceCommit(setup.dir),
      malloc: mallocs[0],
      results: run.referenceResults[mallocs[0]!],
      ...(mallocs.length > 1 ? { memoryKept: run.referenceResults.retain } : {}),
    };
    const flops = Object.fromEntries(
      BENCH_CONFIGS.map((c) => [
        c.id,
        { b16: summarize(c.config, 16), b64: summarize(c.config, 64) },
      ]),
    );
    const report: BenchReport = {
      date: started.toISOString(),
      quick: options.quick,
      machine: machine(),
      ceiling,
      ceilingLoad,
      ceilingTwoAtOnce,
      flops,
      results: run.results,
      ...(reference ? { reference } : {}),
    };
    // only a full run of every configuration is the project's table (docs/benchmarks.md)
    const name = options.configs ? 'latest-partial' : options.quick ? 'latest-quick' : 'latest';
    const docs = name === 'latest' ? 'bench' : undefined;
    writeResults(name, report, renderBenchTable(report), docs);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

try {
  await main(parseBenchOptions(process.argv.slice(2)));
} catch (error) {
  if (!(error instanceof BenchUsageError)) throw error;
  // A user mistake (a bad flag or --reference, no torch) is one line, not a stack trace.
  console.error(`${error.message}\n${BENCH_USAGE}`);
  process.exit(2);
}
