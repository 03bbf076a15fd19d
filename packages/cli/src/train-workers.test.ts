/**
 * `gcnn train --workers <n>`: flag validation, and a data-parallel run (this thread + 1 worker
 * thread) that checkpoints, stops and resumes with the metrics of an uninterrupted 2-worker run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ONCE, packagesBuilt, useCliSandbox } from './cli.test-helpers';

// The worker threads run plain Node: the worker entry and replica-model.ts from source through
// tsx, their @gcnn dependencies from dist (`pnpm build`; `pnpm test` builds first).
const DEPS_BUILT = packagesBuilt([
  'lie-groups',
  'kernel-nets',
  'group-conv',
  'models',
  'datasets',
  'training',
  'backends',
  'wasm-training',
]);

/**
 * A tiny SE(2) run: 64 images, batch 16 (4 steps per epoch), 2 epochs, dropout and uniform
 * sampling, on wasm (as the SIGKILL resume test of cli.test.ts: on the cpu backend a run stopped
 * by --max-steps resumes within float32 round-off, not bit-exactly, with or without workers).
 */
const TINY = [
  ...['--preset', 'se2-separable', '--limit-train', '64', '--limit-test', '32'],
  ...['--batch-size', '16', '--epochs', '2', '--hidden-sizes', '4,4,8'],
  ...['--num-group-elements', '4', '--kernel-size', '3', '--ck-net-hidden-size', '8'],
  ...['--checkpoint-every', '2', '--print-interval', '1', '--sampling-method', 'uniform'],
  ...['--dropout', '0.1', '--backend', 'wasm'],
];

const withoutTime = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const { time: _t, ...rest } = JSON.parse(l);
      return rest;
    });

describe.skipIf(!ONCE)('gcnn train --workers', () => {
  const box = useCliSandbox('gcnn-workers-');

  it('validates the flag, naming it', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['train', '--workers', '0'], /--workers must be an integer ≥ 1, got "0"/],
      [['train', '--workers', '1.5'], /--workers must be an integer, got "1.5"/],
      [['train', '--workers', 'two'], /--workers must be an integer, got "two"/],
      [
        ['train', '--workers', '2', '--backend', 'webgpu'],
        /--workers 2 runs one model replica per thread on the one-thread CPU backends \(wasm, cpu\), not on --backend webgpu/,
      ],
      [
        ['evaluate', '--checkpoint', 'x', '--workers', '0'],
        /--workers must be an integer ≥ 1, got "0"/,
      ],
      [
        ['evaluate', '--checkpoint', 'x', '--workers', '2', '--backend', 'webgpu'],
        /gcnn evaluate: --workers 2 runs one model replica per thread/,
      ],
    ];
    for (const [argv, message] of cases) {
      const r = await box.run(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(message);
    }
    const help = await box.run(['train', '--help']);
    expect(help.out).toMatch(/--workers <int>\n\s+Data-parallel training on this many threads/);
  });

  it.skipIf(!DEPS_BUILT)(
    'trains on 2 replicas, and a run stopped after 3 steps resumes (with --workers 2) to the metrics of an uninterrupted 2-worker run (needs pnpm build)',
    async () => {
      const full = join(box.dir, 'full');
      const a = await box.run(['train', ...TINY, '--workers', '2', '--out', full]);
      expect(a.code, a.err).toBe(0);
      expect(a.err).toMatch(
        /data-parallel training on 2 replicas \(this thread \+ 1 worker thread, backend wasm in each\); batch 16 split 8 \+ 8/,
      );
      expect(a.out).toMatch(/test accuracy \d+\.\d+% on 32 test images/);
      const summary = JSON.parse(readFileSync(join(full, 'summary.json'), 'utf8'));
      expect(summary).toMatchObject({ workers: 2, steps: 8 });
      const config = JSON.parse(readFileSync(join(full, 'config.json'), 'utf8'));
      expect(config.flags.workers).toBe(2);

      const part = join(box.dir, 'part');
      const b = await box.run([
        'train',
        ...TINY,
        '--workers',
        '2',
        '--max-steps',
        '3',
        '--out',
        part,
      ]);
      expect(b.code, b.err).toBe(0);
      const c = await box.run(['train', '--resume', part, '--workers', '2', '--max-steps', '8']);
      expect(c.code, c.err).toBe(0);
      expect(c.err).toMatch(/resuming .* at epoch 0, step 3/);
      expect(c.err).toMatch(/data-parallel training on 2 replicas/);
      expect(withoutTime(join(part, 'metrics.jsonl'))).toEqual(
        withoutTime(join(full, 'metrics.jsonl')),
      );

      // gcnn evaluate --workers 2: the accuracy and loss of one thread (inference has no batch
      // statistics, so the shards' logits are the whole batch's up to float32 round-off).
      const ev1 = await box.run(['evaluate', '--checkpoint', full, '--backend', 'wasm']);
      const ev2 = await box.run([
        'evaluate',
        '--checkpoint',
        full,
        '--backend',
        'wasm',
        '--workers',
        '2',
      ]);
      expect(ev1.code, ev1.err).toBe(0);
      expect(ev2.code, ev2.err).toBe(0);
      expect(ev2.err).toMatch(/data-parallel inference on 2 replicas/);
      expect(ev2.out).toMatch(/test accuracy \d+\.\d+% \(\d+\/32\)/);
      expect(ev2.out).toBe(ev1.out);

      // gcnn train --test-only --workers 2 evaluates on the replicas too (it ran on one thread
      // before, whatever --workers said), with the same result.
      const onlyArgs = [
        'train',
        '--load',
        full,
        '--test-only',
        '--limit-test',
        '32',
        '--backend',
        'wasm',
      ];
      const t1 = await box.run(onlyArgs);
      const t2 = await box.run([...onlyArgs, '--workers', '2']);
      expect(t1.code, t1.err).toBe(0);
      expect(t2.code, t2.err).toBe(0);
      expect(t1.err).not.toMatch(/data-parallel/);
      expect(t2.err).toMatch(
        /data-parallel inference on 2 replicas \(this thread \+ 1 worker thread, backend wasm in each\)/,
      );
      expect(t2.out).toMatch(/test accuracy \d+\.\d+% \(\d+\/32\)/);
      expect(t2.out).toBe(t1.out);

      // One replica: the line says so (the run itself is the single-thread path).
      const one = await box.run([
        'train',
        ...TINY,
        '--max-steps',
        '1',
        '--out',
        join(box.dir, 'one'),
      ]);
      expect(one.code, one.err).toBe(0);
      expect(one.err).toMatch(/training on 1 replica \(this thread\)/);
    },
    180_000,
  );
});
