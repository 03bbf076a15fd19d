import { type ReferenceMalloc, referenceMallocPhrase } from './bench-options';
import type { BenchReport } from './bench-report';

/** One side of the main job: how long training and evaluation took, the accuracy, the memory. */
export interface MainJobSide {
  /** Training (all steps, with the checkpoints gcnn writes), by the process's own clock. */
  trainSeconds: number;
  /** Evaluation on the whole test split, by the process's own clock. */
  evalSeconds: number;
  /** The process from start to exit (start-up, data loading and model building included). */
  processSeconds: number;
  testAccuracy: number;
  steps: number;
  trainImages: number;
  testImages: number;
  params: number;
  /** The process's own peak RSS. */
  peakRssMiB: number;
  loadBefore: number;
  error?: undefined;
}

/** A side whose process failed. */
export interface FailedMainJob {
  error: string;
  processSeconds: number;
  loadBefore: number;
}

/** Everything `pnpm bench --reference <dir> --main-job` measured: results/main-job(-quick).json. */
export interface MainJobReport {
  date: string;
  quick: boolean;
  machine: BenchReport['machine'];
  /** The `gcnn train` flags both sides were resolved from (beyond pnpm start's `--workers 2`). */
  flags: string[];
  /** The recipe both trained with: epochs, batch, learning rate, schedule, optimizer, eval batch. */
  recipe: Record<string, unknown>;
  gcnn: (MainJobSide | FailedMainJob) & { backend: string; workers: number };
  reference: (MainJobSide | FailedMainJob) & {
    torch: string;
    python: string;
    threads: number;
    commit: string;
    /** Absent in reports from before 2026-12-07 (stock). */
    malloc?: ReferenceMalloc;
  };
}

const number = (o: Record<string, unknown>, key: string, what: string): number => {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new Error(`${what}: ${key} = ${JSON.stringify(v)}, expected a finite number`);
  }
  return v;
};

/**
 * gcnn's side from its run folder: `summary.json` (accuracy, steps, `trainSeconds` = the whole
 * `train()` call) and `metrics.jsonl` (each epoch record's `time.evalSeconds`; training = the
 * call minus its evaluations), and the peak RSS the preloaded report-peak-rss.mjs wrote.
 */
export function gcnnMainJobSide(
  files: { summaryJson: string; metricsJsonl: string; peakRssJson: string },
  processSeconds: number,
  loadBefore: number,
): MainJobSide {
  const summary = JSON.parse(files.summaryJson) as Record<string, unknown>;
  const evalSeconds = files.metricsJsonl
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { type: string; time?: { evalSeconds?: number } })
    .filter((r) => r.type === 'epoch')
    .reduce((sum, r) => sum + (r.time?.evalSeconds ?? 0), 0);
  const what = 'gcnn train summary.json';
  return {
    trainSeconds: number(summary, 'trainSeconds', what) - evalSeconds,
    evalSeconds,
    processSeconds,
    testAccuracy: number(summary, 'testAccuracy', what),
    steps: number(summary, 'steps', what),
    trainImages: number(summary, 'trainImages', what),
    testImages: number(summary, 'testImages', what),
    params: number(summary, 'parameters', what),
    peakRssMiB: number(JSON.parse(files.peakRssJson), 'peakRssMiB', 'report-peak-rss.mjs'),
    loadBefore,
  };
}

/** The reference's side from bench_reference.py `main-job`'s RESULT object. */
export function referenceMainJobSide(
  result: Record<string, unknown>,
  processSeconds: number,
  loadBefore: number,
): MainJobSide {
  const what = 'bench_reference.py main-job';
  const get = (key: string) => number(result, key, what);
  return {
    trainSeconds: get('trainSeconds'),
    evalSeconds: get('evalSeconds'),
    processSeconds,
    testAccuracy: get('testAccuracy'),
    steps: get('steps'),
    trainImages: get('trainImages'),
    testImages: get('testImages'),
    params: get('params'),
    peakRssMiB: get('peakRssMiB'),
    loadBefore,
  };
}

const secs = (s: number) => `${s.toFixed(1)} s`;

/**
 * The main job's table: one row per quantity, gcnn and the reference side by side, and their
 * ratio (reference / gcnn: > 1× = gcnn faster or smaller).
 */
export function renderMainJobTable(report: MainJobReport): string[] {
  const { gcnn: g, reference: r } = report;
  const rows: Array<[string, (s: MainJobSide) => string, ((s: MainJobSide) => number) | null]> = [
    [
      `training (${g.error === undefined ? g.steps : '?'} steps)`,
      (s) => secs(s.trainSeconds),
      (s) => s.trainSeconds,
    ],
    [
      `evaluation (${g.error === undefined ? g.testImages.toLocaleString('en-US') : '?'} test images)`,
      (s) => secs(s.evalSeconds),
      (s) => s.evalSeconds,
    ],
    [
      'training + evaluation',
      (s) => secs(s.trainSeconds + s.evalSeconds),
      (s) => s.trainSeconds + s.evalSeconds,
    ],
    ['process, start to exit', (s) => secs(s.processSeconds), (s) => s.processSeconds],
    ['test accuracy', (s) => `${(s.testAccuracy * 100).toFixed(2)}%`, null],
    ['peak RSS', (s) => `${s.peakRssMiB.toFixed(0)} MiB`, (s) => s.peakRssMiB],
    ['load before', (s) => s.loadBefore.toFixed(2), null],
  ];
  const lines = [
    `Run: \`pnpm bench --reference <dir> --main-job${report.quick ? ' --quick' : ''}\`, ${report.date.slice(0, 16).replace('T', ' ')} UTC; ${report.machine.lscpu.join('; ')}; nproc ${report.machine.nproc}; Node ${report.machine.node}.`,
    '',
    `Recipe (both sides, from \`gcnn train${report.flags.length ? ` ${report.flags.join(' ')}` : ''}\`): ${JSON.stringify(report.recipe)}. gcnn: \`gcnn train --workers ${g.workers}\` (backend ${g.backend}); reference: \`ck_g_cnn\` ${r.commit} on torch ${r.torch} (Python ${r.python}), ${r.threads} threads, ${referenceMallocPhrase(r.malloc)}, same images and labels, its own data order. One after the other: gcnn, then the reference.`,
    '',
    '| | gcnn | reference | reference / gcnn |',
    '|---|---:|---:|---:|',
  ];
  for (const [i, [label, show, value]] of rows.entries()) {
    // A failed side: its error in the first row, nothing to compare below.
    const cell = (s: MainJobSide | FailedMainJob) =>
      s.error === undefined ? show(s) : i === 0 ? `failed: ${s.error.replace(/\|/g, '/')}` : '—';
    const ratio =
      value && g.error === undefined && r.error === undefined
        ? `${(value(r) / value(g)).toFixed(2)}×`
        : '';
    lines.push(`| ${label} | ${cell(g)} | ${cell(r)} | ${ratio} |`);
  }
  return lines;
}
