/**
 * Shared scaffolding of the CLI's tests. The CLI picks its own backend (`--backend`), so its tests
 * run once, in the cpu project, and are skipped in the others; each test file works in its own
 * temporary folder with its own dataset cache. Not exported from the package.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { testBackend } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll } from 'vitest';
import type { GivenFlags } from './flag-spec';
import type { CliIo } from './io';
import { main } from './main';
import type { TrainFlags } from './resolve-config';

/** Whether this vitest project runs the CLI tests (the cpu one). */
export const ONCE = testBackend() === 'cpu';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '../../..');

/**
 * Whether the packages under `packages/<dir>` are built: worker threads and child processes run
 * plain Node, which loads @gcnn dependencies from their `dist` (`pnpm test` builds first).
 */
export function packagesBuilt(dirs: readonly string[]): boolean {
  return dirs.every((d) => existsSync(join(ROOT, 'packages', d, 'dist/index.js')));
}

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** A test file's temporary folder (`dir`, the CLI's cwd) and dataset cache, and a CLI runner. */
export interface CliSandbox {
  readonly dir: string;
  readonly cache: string;
  /** Runs `gcnn <argv>` in this process (cwd `dir`), capturing stdout and stderr. */
  run(argv: string[]): Promise<CliResult>;
}

/**
 * Creates the sandbox before the calling suite's tests (`GCNN_CACHE_DIR` pointed at its cache)
 * and removes it afterwards, restoring `GCNN_CACHE_DIR` and the cpu backend.
 */
export function useCliSandbox(prefix: string): CliSandbox {
  const env0 = process.env.GCNN_CACHE_DIR;
  const box = {
    dir: '',
    cache: '',
    async run(argv: string[]): Promise<CliResult> {
      let out = '';
      let err = '';
      const io: CliIo = {
        out: { write: (t: string) => (out += t) },
        err: { write: (t: string) => (err += t), isTTY: false },
        cwd: box.dir,
        env: { GCNN_CACHE_DIR: box.cache },
      };
      const code = await main(argv, io);
      return { code, out, err };
    },
  };
  beforeAll(() => {
    box.dir = mkdtempSync(join(tmpdir(), prefix));
    box.cache = join(box.dir, 'cache');
    process.env.GCNN_CACHE_DIR = box.cache;
  });
  afterAll(async () => {
    rmSync(box.dir, { recursive: true, force: true });
    if (env0 === undefined) delete process.env.GCNN_CACHE_DIR;
    else process.env.GCNN_CACHE_DIR = env0;
    await tf.setBackend('cpu');
  });
  return box;
}

/**
 * A value for every flag of `gcnn train` that sets a config field or has a dotted override, none
 * of them its default (flag-table.test.ts, dotted-overrides.test.ts).
 */
export const TRAIN_FLAG_VALUES = {
  preset: 'se2-separable',
  model: 'ckgresnet',
  group: 'Sim2',
  'num-group-elements': [4, 2],
  'sampling-method': 'uniform',
  'max-scale': 1.5,
  'hidden-sizes': [4, 8],
  'widen-factor': 2,
  pooling: false,
  normalization: 'instancenorm',
  dropout: 0.25,
  'kernel-size': 3,
  'ck-net-num-hidden': 2,
  'ck-net-hidden-size': 12,
  'first-omega-0': 20,
  'omega-0': 5,
  implementation: 'separable+2d',
  padding: false,
  stride: 2,
  compatibility: 'reference',
  dataset: 'fashion-mnist',
  'data-dir': 'data',
  augment: true,
  'limit-train': 100,
  'limit-test': 50,
  epochs: 7,
  'batch-size': 16,
  'eval-batch-size': 40,
  'eval-every': 2,
  'max-steps': 33,
  'checkpoint-every': 11,
  'print-interval': 3,
  'accumulate-steps': 2,
  memory: 'checkpoint',
  'on-nonfinite': 'skip',
  seed: 9,
  optimizer: 'sgd',
  'learning-rate': 0.05,
  'weight-decay': 0.001,
  momentum: 0.9,
  nesterov: true,
  'lr-schedule': 'multistep',
  'lr-steps': [3, 5],
  'lr-gamma': 0.5,
  load: 'runs/pretrained',
} satisfies GivenFlags<TrainFlags>;
