/**
 * `pnpm bench --reference <dir> --main-job [--quick]`: gcnn's main job and the reference on the
 * same recipe and data, one after the other. gcnn: `gcnn train --workers 2` (`pnpm start`: the
 * `default` preset, 6 epochs = 2250 steps of batch 32 on the 12,000 MNIST-rot training images,
 * then the 50,000 test images). Reference: bench_reference.py `main-job` with the model and
 * training settings `gcnn train` resolves to, on the images and labels gcnn loads (exported by
 * main-job-files.ts). `--quick`: the first 640 training and 1000 test images.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadDatasets, parseFlags, type ResolvedRun, resolveRun, TRAIN_FLAGS } from '@gcnn/cli';
import { DATASET_INFO } from '@gcnn/datasets';
import { type BenchOptions, type ReferenceMalloc, referenceMallocs } from './bench-options';
import { machine } from './machine';
import { writeMainJobFiles } from './main-job-files';
import {
  type FailedMainJob,
  gcnnMainJobSide,
  type MainJobReport,
  type MainJobSide,
  referenceMainJobSide,
  renderMainJobTable,
} from './main-job-report';
import {
  checkReferenceDir,
  findPython,
  parseResultLines,
  REFERENCE_SCRIPT,
  type ReferenceSetup,
  referenceCommit,
  referenceEnv,
} from './reference-runner';
import { waitQuiet } from './wait-quiet';
import { writeResults } from './write-results';

const here = dirname(fileURLToPath(import.meta.url));
/** `gcnn train` flags of `--quick` (both sides train and test on these first images). */
const QUICK_FLAGS = ['--limit-train', '640', '--limit-test', '1000'];
/** `pnpm start`'s data parallelism, and the reference's torch threads: the machine's 2 cores. */
const WORKERS = 2;

/** Loads the data exactly as `gcnn train` does (its dataset cache) and writes the reference's job. */
async function exportJob(folder: string, run: ResolvedRun): Promise<string> {
  const data = await loadDatasets(run.dataset);
  if (data.trainAugmentations.length > 0) {
    throw new Error('main job: training augmentations are not reproduced in the reference');
  }
  return writeMainJobFiles(folder, {
    model: run.model,
    train: run.train,
    trainSet: data.train,
    testSet: data.test,
    normalization: DATASET_INFO[run.dataset.id].normalization,
  });
}

/** `gcnn train --workers 2` in its own process (its output shown), peak RSS via report-peak-rss.mjs. */
function runGcnn(folder: string, flags: string[], maxWait: number): MainJobSide | FailedMainJob {
  const cli = join(
    dirname(createRequire(import.meta.url).resolve('@gcnn/cli/package.json')),
    'dist',
    'cli.js',
  );
  const out = join(folder, 'gcnn-run');
  const rssFile = join(folder, 'gcnn-peak-rss.json');
  const hook = pathToFileURL(join(here, 'report-peak-rss.mjs')).href;
  const loadBefore = waitQuiet(maxWait);
  console.log(`gcnn train --workers ${WORKERS} ${flags.join(' ')} (load ${loadBefore.toFixed(2)})`);
  const t0 = performance.now();
  const p = spawnSync(
    process.execPath,
    ['--import', hook, cli, 'train', '--workers', `${WORKERS}`, '--out', out, ...flags],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, GCNN_BENCH_PEAK_RSS_FILE: rssFile },
    },
  );
  const processSeconds = (performance.now() - t0) / 1000;
  if (p.status !== 0) {
    const error = `gcnn train exited with ${p.status ?? p.signal} (its output is above)`;
    return { error, processSeconds, loadBefore };
  }
  const read = (path: string) => readFileSync(path, 'utf8');
  return gcnnMainJobSide(
    {
      summaryJson: read(join(out, 'summary.json')),
      metricsJsonl: read(join(out, 'metrics.jsonl')),
      peakRssJson: read(rssFile),
    },
    processSeconds,
    loadBefore,
  );
}

/** bench_reference.py `main-job` in its own process (its progress shown). */
function runReference(
  setup: ReferenceSetup,
  malloc: ReferenceMalloc,
  jobFile: string,
  maxWait: number,
): MainJobSide | FailedMainJob {
  const loadBefore = waitQuiet(maxWait);
  console.log(`reference main job, torch ${setup.torch} (load ${loadBefore.toFixed(2)})`);
  const t0 = performance.now();
  const p = spawnSync(
    setup.python,
    [
      REFERENCE_SCRIPT,
      'main-job',
      '--reference',
      setup.dir,
      '--job',
      jobFile,
      '--threads',
      `${WORKERS}`,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
      env: referenceEnv(malloc),
    },
  );
  const processSeconds = (performance.now() - t0) / 1000;
  const results = p.status === 0 ? parseResultLines(p.stdout, 'bench_reference.py main-job') : [];
  if (results.length !== 1) {
    const error = `bench_reference.py main-job exited with ${p.status ?? p.signal}, ${results.length} RESULT lines (its output is above)`;
    return { error, processSeconds, loadBefore };
  }
  return referenceMainJobSide(results[0]!, processSeconds, loadBefore);
}

export async function runMainJob(options: BenchOptions): Promise<void> {
  const setup = findPython(checkReferenceDir(options.reference!), options.python);
  // parseBenchOptions refuses `both` with --main-job
  const [malloc] = referenceMallocs(options.referenceMalloc) as [ReferenceMalloc];
  const flags = options.quick ? QUICK_FLAGS : [];
  const run = resolveRun(parseFlags(TRAIN_FLAGS, flags, 'train').given, 'train');
  const started = new Date();
  const scratch = mkdtempSync(join(tmpdir(), 'gcnn-main-job-'));
  try {
    const jobFile = await exportJob(scratch, run);
    const gcnn = runGcnn(scratch, flags, options.maxWait);
    const reference = runReference(setup, malloc, jobFile, options.maxWait);
    const { epochs, batchSize, learningRate, optimizer, lrSchedule, evalBatchSize } = run.train;
    const report: MainJobReport = {
      date: started.toISOString(),
      quick: options.quick,
      machine: machine(),
      flags,
      recipe: { epochs, batchSize, learningRate, optimizer, lrSchedule, evalBatchSize },
      gcnn: { ...gcnn, backend: 'wasm', workers: WORKERS },
      reference: {
        ...reference,
        torch: setup.torch,
        python: setup.pythonVersion,
        threads: WORKERS,
        commit: referenceCommit(setup.dir),
        malloc,
      },
    };
    const lines = renderMainJobTable(report);
    console.log(lines.join('\n'));
    const name = options.quick ? 'main-job-quick' : 'main-job';
    writeResults(name, report, lines, options.quick ? undefined : 'main-job');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
