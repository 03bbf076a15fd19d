/**
 * `gcnn train`'s memory flags: the first lines say how a step is computed and why (the plan
 * against --memory-limit, default the wasm heap); a batch that fits no plan stops before the
 * first step with one line naming the rows per thread that fit and the flags to use; micro-batches
 * (--accumulate-steps) are chosen when needed and recorded in the run's config.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ONCE, useCliSandbox } from './cli.test-helpers';

describe.skipIf(!ONCE)('gcnn train: memory plan', () => {
  const box = useCliSandbox('gcnn-memory-');
  /** One step on 8 training images, wasm, into the run folder `name`; `flags` added. */
  const train = (name: string, flags: string[]) =>
    box.run([
      'train',
      ...['--limit-train', '8', '--limit-test', '8', '--max-steps', '1', '--backend', 'wasm'],
      ...['--out', join(box.dir, name), ...flags],
    ]);

  it('says the plan in its first lines: lean, within the wasm heap', async () => {
    const r = await train('lean', ['--batch-size', '8']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(
      /gcnn: memory: lean, 8 rows per thread: ≈ \d+ MiB of 4\.0 GiB per thread \(fits\)\n/,
    );
    expect(r.err.indexOf('gcnn: memory:')).toBeLessThan(r.err.indexOf('epoch 1'));
  }, 120_000);

  it('a small --memory-limit: checkpoint over micro-batches, said and recorded; --accumulate-steps explicit', async () => {
    const r = await train('micro', ['--batch-size', '8', '--memory-limit', '12']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(
      /gcnn: memory: checkpoint, 2 micro-batches of 4 rows per thread: ≈ \d+ MiB of 12 MiB per thread \(8 rows at once would need \d+ MiB\); batch statistics per micro-batch, gradients summed into one step\n/,
    );
    const e = await train('explicit', [
      ...['--batch-size', '8', '--accumulate-steps', '4', '--memory', 'lean'],
    ]);
    expect(e.code, e.err).toBe(0);
    expect(e.err).toMatch(/gcnn: memory: lean, 4 micro-batches of 2 rows per thread/);
    const config = JSON.parse(readFileSync(join(box.dir, 'explicit', 'config.json'), 'utf8'));
    expect(config.train).toMatchObject({ accumulateSteps: 4, memory: 'lean' });
  }, 120_000);

  it('a batch that fits no plan stops before the first step with one line: rows that fit, flags to use', async () => {
    const r = await train('nofit', [
      ...['--preset', 'sim2-separable2d', '--batch-size', '8', '--accumulate-steps', '1'],
      ...['--memory-limit', '100'],
    ]);
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n').at(-1)).toMatch(
      /^gcnn train: a training step of 8 rows per thread \(batch 8 on 1 thread\) needs ≈ \d+ MiB with checkpoint, more than 75 MiB of the 100 MiB per thread; 1 row per thread fit: use --accumulate-steps 8 \(micro-batches of 1 row\)(, --workers 8)? or --batch-size 1$/,
    );
    expect(r.err).not.toMatch(/Aborted|out of bounds|epoch 1/);
  }, 120_000);
});
