/**
 * Bounded resources at the command line: every limit is a usage error (exit code 2) naming the
 * flag and the bound, found before any data is loaded or any folder written.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ONCE, useCliSandbox } from '../cli.test-helpers';
import { TINY } from './reliability.test-helpers';

describe.skipIf(!ONCE)('gcnn: bounded flags', () => {
  const box = useCliSandbox('gcnn-bounds-');

  it('refuse unbounded workers, batch sizes, seeds and an --out that is a file, before loading data', async () => {
    const file = join(box.dir, 'a-file');
    writeFileSync(file, 'not a folder');
    const cases: Array<[string[], RegExp]> = [
      [
        ['train', '--seed', '4294967296'],
        /--seed must be an integer in \[0, 4294967295\], got "4294967296"/,
      ],
      [['train', '--seed', '-1'], /--seed must be an integer in \[0, 4294967295\], got "-1"/],
      [
        ['train', '--workers', '1000'],
        /gcnn train: --workers 1000 is more than the \d+ cores available here \(os.availableParallelism\(\)\); use at most \d+/,
      ],
      [
        ['evaluate', '--checkpoint', 'x', '--workers', '1000'],
        /gcnn evaluate: --workers 1000 is more than the \d+ cores available here/,
      ],
      [
        ['train', ...TINY, '--batch-size', '1000000000'],
        /gcnn train: --batch-size 1000000000 is larger than the 64 training images; use at most 64/,
      ],
      [
        ['train', ...TINY, '--out', file],
        /gcnn train: --out '.*a-file' is a file; expected a run folder \(new, empty, or a run to continue with --resume\)/,
      ],
      [
        ['train', '--on-nonfinite', 'maybe'],
        /--on-nonfinite must be one of stop, skip, got "maybe"/,
      ],
    ];
    for (const [argv, message] of cases) {
      const r = await box.run(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(message);
      expect(r.err, argv.join(' ')).not.toMatch(/generating|gcnn: run folder/);
    }
    // Nothing was generated or written: no dataset cache, no run folder.
    expect(existsSync(box.cache)).toBe(false);
    expect(readdirSync(box.dir)).toEqual(['a-file']);
    const help = await box.run(['train', '--help']);
    expect(help.out).toMatch(
      /--on-nonfinite <stop\|skip>\n\s+A batch whose loss or gradients are NaN/,
    );
    expect(help.out).toMatch(
      /--overwrite\n\s+Start a new run in an --out folder that already holds one/,
    );
  });
});
