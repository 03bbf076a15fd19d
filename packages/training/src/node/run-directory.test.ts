/**
 * One writer per run folder, and nothing lost: the lock (a second writer refused, a dead one's lock
 * recovered and reported), a run never silently mixed with another (`new` refuses, `overwrite`
 * moves it aside), temp files of killed writes removed when training begins, and a resume that
 * fails leaving the folder byte for byte as it was.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { disposeCheckpoint, encodeCheckpoint } from '../checkpoint';
import { TinyClassifier, toyDataset } from '../test-model.test-helpers';
import { type TrainOptions, train } from '../train';
import { loadCheckpoint, saveCheckpoint } from './checkpoint-files';
import { openRunDirectory, RunExistsError } from './run-directory';
import { LOCK_FILE, RunLockedError } from './run-lock';
import { useTempDirs } from './temp-dirs.test-helpers';

const tmp = useTempDirs('gcnn-run-');

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

const trainOptions = (model: TinyClassifier): TrainOptions => ({
  model,
  trainSet: toyDataset(40, 1),
  testSet: toyDataset(8, 2),
  config: {
    epochs: 1,
    batchSize: 8,
    learningRate: 0.05,
    optimizer: { name: 'adam' },
    lrSchedule: { kind: 'constant' },
    seed: 7,
    printInterval: 1,
    checkpointEvery: 2,
  },
});

describe('run folders', () => {
  it('take an exclusive lock: a second writer is refused naming the holder, until the first closes', () => {
    const dir = join(tmp(), 'run');
    const first = openRunDirectory(dir, { mode: 'new' });
    const lock = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'));
    expect(lock).toMatchObject({ pid: process.pid, host: hostname(), command: 'gcnn train' });
    expect(() => openRunDirectory(dir, { mode: 'resume' })).toThrow(RunLockedError);
    expect(() => openRunDirectory(dir, { mode: 'resume' })).toThrow(
      new RegExp(`run folder '${dir}' is in use by gcnn train \\(process ${process.pid} on host`),
    );
    first.close();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    openRunDirectory(dir, { mode: 'new' }).close();
  });

  it("recover the lock of a process that is gone, and report it; refuse another host's", () => {
    const dir = tmp();
    const pid = deadPid();
    const owner = { pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', command: 'x' };
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify(owner));
    const notices: string[] = [];
    const run = openRunDirectory(dir, { mode: 'resume', onNotice: (l) => notices.push(l) });
    expect(notices).toEqual([
      `recovered the stale lock of run folder '${dir}': process ${pid} (x, since 2026-01-01T00:00:00.000Z) no longer runs`,
    ]);
    run.close();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ ...owner, host: 'elsewhere' }));
    expect(() => openRunDirectory(dir, { mode: 'resume' })).toThrow(
      /on host elsewhere.*it cannot be checked from this host: if it no longer runs there, delete/,
    );
  });

  it('refuse a folder holding a run in mode new (leaving it as it was); overwrite moves it aside', async () => {
    const dir = join(tmp(), 'run');
    const run = openRunDirectory(dir, { mode: 'new', config: { a: 1 } });
    await run.begin(undefined);
    await run.metrics({
      type: 'step',
      epoch: 0,
      step: 1,
      batch: 0,
      lr: 1,
      loss: 1,
      batchAccuracy: 0,
      time: { elapsedSeconds: 0 },
    });
    run.close();
    const before = readdirSync(dir).sort();
    const refused = (() => {
      try {
        openRunDirectory(dir, { mode: 'new' });
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(RunExistsError);
    expect((refused as Error).message).toBe(`'${dir}' already holds a run (metrics.jsonl)`);
    expect(readdirSync(dir).sort()).toEqual(before);
    const notices: string[] = [];
    const fresh = openRunDirectory(dir, { mode: 'overwrite', onNotice: (l) => notices.push(l) });
    expect(notices[0]).toMatch(
      new RegExp(
        `^--overwrite: moved the previous run \\(metrics.jsonl\\) to ${dir}.replaced-\\d{8}-\\d{6}$`,
      ),
    );
    const aside = notices[0]?.split(' to ').at(-1) as string;
    expect(readdirSync(aside).sort()).toEqual(['config.json', 'metrics.jsonl']);
    expect(readdirSync(dir)).toEqual([LOCK_FILE]);
    fresh.close();
    // A folder it created and nothing was written to is removed on close.
    expect(existsSync(dir)).toBe(true); // it existed (the overwrite made it again)
    const unused = join(tmp(), 'unused');
    openRunDirectory(unused, { mode: 'new' }).close();
    expect(existsSync(unused)).toBe(false);
  });

  it('refuse a file as the run folder', () => {
    const file = join(tmp(), 'file');
    writeFileSync(file, 'x');
    expect(() => openRunDirectory(file, { mode: 'new' })).toThrow(
      `'${file}' is a file, expected a run folder`,
    );
  });

  it('remove the temp files of interrupted writes when training begins, and report them', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'checkpoints'));
    const stale = [
      join(dir, 'checkpoints', '.last-step00000005.weights.bin.tmp-4242-1764849600000'),
      join(dir, '.metrics.jsonl.tmp-4242-1764849600001'),
    ];
    for (const f of stale) writeFileSync(f, 'partial');
    const keep = join(dir, 'notes.tmp');
    writeFileSync(keep, 'mine');
    const notices: string[] = [];
    const run = openRunDirectory(dir, { mode: 'new', onNotice: (l) => notices.push(l) });
    expect(stale.every(existsSync)).toBe(true); // nothing touched before training begins
    await run.begin(undefined);
    run.close();
    expect(stale.some(existsSync)).toBe(false);
    expect(existsSync(keep)).toBe(true);
    expect(notices).toEqual([
      'removed 2 temp file(s) of an interrupted write: .metrics.jsonl.tmp-4242-1764849600001, checkpoints/.last-step00000005.weights.bin.tmp-4242-1764849600000',
    ]);
  });

  it('a resume that fails (an optimizer slot missing from a coherent checkpoint) leaves the folder as it was', async () => {
    const dir = tmp();
    const model = new TinyClassifier(16, 3, 5);
    const run = openRunDirectory(dir, { mode: 'new', config: { a: 1 } });
    await train({
      ...trainOptions(model),
      sink: run,
      config: { ...trainOptions(model).config, maxSteps: 3 },
    });
    run.close();
    // Re-encode the last checkpoint without its exp_avg_sq slots: hashes match, the spec does not.
    const ck = await loadCheckpoint(dir);
    const broken = await encodeCheckpoint({
      ...ck.manifest,
      weightsFile: ck.manifest.weights.file,
      modelVariables: Object.entries(ck.model),
      optimizerSlots: Object.entries(ck.optimizer).filter(([n]) => !n.startsWith('exp_avg_sq/')),
    });
    disposeCheckpoint(ck);
    saveCheckpoint(join(dir, 'checkpoints'), broken);
    const snapshot = () =>
      readdirSync(dir, { recursive: true })
        .map(String)
        .sort()
        .map((f) => {
          const path = join(dir, f);
          return [f, statSync(path).isFile() ? readFileSync(path, 'base64') : 'folder'];
        });
    const before = snapshot();
    const resume = await loadCheckpoint(dir);
    const resumed = openRunDirectory(dir, { mode: 'resume' });
    const tensors = tf.memory().numTensors;
    await expect(train({ ...trainOptions(model), sink: resumed, resume })).rejects.toThrow(
      `Error in checkpoint: '${join(dir, 'checkpoints', 'last.json')}' has no entry 'optimizer/exp_avg_sq/b1'`,
    );
    expect(tf.memory().numTensors).toBe(tensors);
    resumed.close();
    disposeCheckpoint(resume);
    model.dispose();
    expect(snapshot()).toEqual(before);
  });
});
