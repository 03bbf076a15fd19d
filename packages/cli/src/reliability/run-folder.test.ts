/**
 * `gcnn train` and its run folder, nothing lost and nothing silently wrong: a diverging run stops
 * with one line and writes nothing non-finite; one writer per folder; an existing run is never
 * mixed with a new one; a failed resume changes nothing; temp files of killed writes are removed
 * and reported. Each case states what a user sees.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { disposeCheckpoint, encodeCheckpoint } from '@gcnn/training';
import { LOCK_FILE, loadCheckpoint, saveCheckpoint } from '@gcnn/training/node';
import { describe, expect, it } from 'vitest';
import { ONCE, useCliSandbox } from '../cli.test-helpers';
import { folderSnapshot, TINY } from './reliability.test-helpers';

describe.skipIf(!ONCE)('gcnn train: the run folder', () => {
  const box = useCliSandbox('gcnn-run-folder-');
  const train = (out: string, ...flags: string[]) =>
    box.run(['train', ...TINY, ...flags, '--out', join(box.dir, out)]);

  it('a diverging run stops with one line, exit 1, and no checkpoint; --on-nonfinite skip cannot mend non-finite weights', async () => {
    // A step record every 10 steps: the guard's read at the checkpoint of step 2 comes first.
    const r = await train('nan', '--lr', '1e38', '--print-interval', '10');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /\ngcnn train: the run diverged: the training loss is NaN at step 2 \(epoch 1, batch 2, lr 9.62e\+37\); training stopped before any checkpoint was written. Try a lower --lr than 1e\+38 \(--overwrite to start over in this folder\), or --on-nonfinite skip to drop such batches\n$/,
    );
    expect(readdirSync(join(box.dir, 'nan'))).toEqual(['config.json']);
    // config.json alone is no run: the same folder takes a new start without --overwrite.
    const skip = await train(
      'nan',
      '--lr',
      '1e38',
      '--on-nonfinite',
      'skip',
      '--print-interval',
      '10',
    );
    expect(skip.code).toBe(1);
    expect(skip.err).toMatch(
      /the weights are no longer finite after step 2 \(epoch 1, lr 9.62e\+37\); training stopped before any checkpoint was written. Try a lower --lr than 1e\+38 \(--overwrite to start over in this folder\); skipping batches cannot mend a non-finite state\n$/,
    );
    const warned = await train('exploding', '--lr', '1e3', '--epochs', '1');
    expect(warned.code).toBe(0);
    expect(warned.err).toMatch(
      /gcnn train: warning: the training loss is \d\.\d\de\+\d+ at step \d, over 100× that of a uniform guess \(ln 10 = 2.30\): the run is diverging; a lower --lr than 1000 may help\n/,
    );
  });

  it('one writer at a time: a second train on the same folder is refused naming the first; a dead one’s lock is recovered', async () => {
    const runs = await Promise.all([train('shared'), train('shared')]);
    expect(runs.map((r) => r.code).sort()).toEqual([0, 1]);
    const refused = runs.find((r) => r.code === 1);
    expect(refused?.err).toMatch(
      new RegExp(
        `gcnn train: run folder '.*shared' is in use by gcnn train \\(process ${process.pid} on host ${hostname()}, since \\d{4}-\\d\\d-\\d\\dT`,
      ),
    );
    expect(existsSync(join(box.dir, 'shared', LOCK_FILE))).toBe(false);
    const dead = Number(
      spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout,
    );
    mkdirSync(join(box.dir, 'stale'));
    const owner = {
      pid: dead,
      host: hostname(),
      startedAt: '2026-01-01T00:00:00.000Z',
      command: 'gcnn train',
    };
    writeFileSync(join(box.dir, 'stale', LOCK_FILE), JSON.stringify(owner));
    const r = await train('stale');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(
      `gcnn: recovered the stale lock of run folder '${join(box.dir, 'stale')}': process ${dead} (gcnn train, since 2026-01-01T00:00:00.000Z) no longer runs\n`,
    );
  });

  it('a run in --out is refused without --resume or --overwrite; --overwrite moves it aside and says so', async () => {
    const dir = join(box.dir, 'shared');
    const before = folderSnapshot(dir);
    const r = await train('shared');
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `gcnn train: '${dir}' already holds a run (metrics.jsonl, summary.json, checkpoints/best.json, checkpoints/last.json); continue it with --resume ${dir}, or start over with --overwrite (moves it to ${dir}.replaced-<date>)\n`,
    );
    expect(folderSnapshot(dir)).toEqual(before);
    const o = await train('shared', '--overwrite');
    expect(o.code, o.err).toBe(0);
    const aside = /--overwrite: moved the previous run \(.*\) to (.*)\n/.exec(o.err)?.[1] as string;
    expect(aside).toMatch(new RegExp(`^${dir}\\.replaced-\\d{8}-\\d{6}$`));
    expect(folderSnapshot(aside)).toEqual(before);
  });

  it('a resume that fails leaves the run folder byte for byte; temp files of a killed write are removed at the next start and reported', async () => {
    const dir = join(box.dir, 'resumed');
    expect((await train('resumed', '--max-steps', '3')).code).toBe(0);
    // A coherent checkpoint (its hashes match) without Adam's exp_avg_sq: refused by the spec.
    const ck = await loadCheckpoint(dir);
    const broken = await encodeCheckpoint({
      ...ck.manifest,
      weightsFile: ck.manifest.weights.file,
      modelVariables: Object.entries(ck.model),
      optimizerSlots: Object.entries(ck.optimizer).filter(([n]) => !n.startsWith('exp_avg_sq/')),
    });
    const good = await encodeCheckpoint({
      ...ck.manifest,
      weightsFile: ck.manifest.weights.file,
      modelVariables: Object.entries(ck.model),
      optimizerSlots: Object.entries(ck.optimizer),
    });
    disposeCheckpoint(ck);
    saveCheckpoint(join(dir, 'checkpoints'), broken);
    const before = folderSnapshot(dir);
    const failed = await box.run(['train', '--resume', dir]);
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(
      `gcnn train: Error in checkpoint: '${join(dir, 'checkpoints', 'last.json')}' has no entry 'optimizer/exp_avg_sq/`,
    );
    expect(folderSnapshot(dir)).toEqual(before);
    saveCheckpoint(join(dir, 'checkpoints'), good);
    const temp = join(dir, 'checkpoints', '.last-step00000004.weights.bin.tmp-999999-1');
    writeFileSync(temp, 'half a checkpoint');
    const resumed = await box.run(['train', '--resume', dir]);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).toMatch(
      'gcnn: removed 1 temp file(s) of an interrupted write: checkpoints/.last-step00000004.weights.bin.tmp-999999-1\n',
    );
    expect(existsSync(temp)).toBe(false);
  });
});
