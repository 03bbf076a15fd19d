/**
 * What every command shares: `-h` is `--help` everywhere, `gcnn help <command>` too, `gcnn
 * --version` prints the package's version; and the quarter-turn check of `gcnn train` (a warning
 * for an input size that breaks exact invariance, a refusal with `--strict-equivariance`) and the
 * line `gcnn info` prints about it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createModel, MODEL_PRESETS } from '@gcnn/models';
import { describe, expect, it } from 'vitest';
import { ONCE, useCliSandbox } from './cli.test-helpers';
import { quarterTurnBreaks } from './quarter-turn-check';

const COMMANDS = ['train', 'evaluate', 'export', 'import-torch', 'info', 'visualize'];

describe.skipIf(!ONCE)('gcnn: help, version, quarter-turn check', () => {
  const box = useCliSandbox('gcnn-basics-');

  it('-h is --help for every command, and gcnn help <command> too', async () => {
    for (const command of COMMANDS) {
      const long = await box.run([command, '--help']);
      const short = await box.run([command, '-h']);
      const viaHelp = await box.run(['help', command]);
      expect(long.code, command).toBe(0);
      expect(long.out, command).toMatch(new RegExp(`^Usage: gcnn ${command}`));
      expect(short, `gcnn ${command} -h`).toEqual(long);
      expect(viaHelp, `gcnn help ${command}`).toEqual(long);
    }
    const top = await box.run(['-h']);
    expect(top.code).toBe(0);
    expect(top.out).toMatch(/^Usage: gcnn <command>/);
    const other = await box.run(['train', '-x']);
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/unknown option -x/);
  });

  it('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(
      readFileSync(join(import.meta.dirname, '../package.json'), 'utf8'),
    ) as { version: string };
    for (const flag of ['--version', '-v']) {
      const r = await box.run([flag]);
      expect(r).toEqual({ code: 0, out: `gcnn ${version}\n`, err: '' });
    }
  });

  it('galaxy10 (69×69) breaks exact invariance at the first 2×2 pool: a warning, or a refusal with --strict-equivariance', async () => {
    const strict = await box.run(['train', '--dataset', 'galaxy10', '--strict-equivariance']);
    expect(strict.code).toBe(2);
    expect(strict.err).toMatch(
      /^gcnn train: --strict-equivariance: the model is not exactly invariant to 90° rotations of its 69×69 inputs: layers\.1 \(2×2 max pool\) gets 69×69: odd input 69×69: the last row and column are dropped\n$/,
    );
    // Without --strict-equivariance it warns and goes on (here to the missing data).
    const warned = await box.run(['train', '--dataset', 'galaxy10']);
    expect(warned.err).toMatch(/gcnn train: warning: the model is not exactly invariant .*69×69/);
    expect(warned.err).toMatch(/--strict-equivariance refuses such a model\n.*galaxy10/s);
    // MNIST's 28×28 keeps the default model exact: no warning, and info says so.
    const info = await box.run(['info']);
    expect(info.code).toBe(0);
    expect(info.out).toMatch(/\n {2}90° rotations: exactly invariant/);
    const odd = await box.run(['info', '--dataset', 'galaxy10']);
    expect(odd.out).toMatch(
      /\n {2}90° rotations: not exactly invariant: layers\.1 \(2×2 max pool\)/,
    );
  });

  it('--strict-equivariance also refuses rotations that do not include the quarter turns', () => {
    const model = createModel({ ...MODEL_PRESETS.default, sampleCount: 6, hiddenSizes: [2, 2] });
    try {
      expect(quarterTurnBreaks(model, false)).toEqual([]);
      expect(quarterTurnBreaks(model, true)).toEqual([
        'its 6 sampled rotations do not include the quarter turns',
      ]);
    } finally {
      model.dispose();
    }
  });
});
