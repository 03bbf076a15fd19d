/**
 * The seed's Hydra-style overrides (`gcnn train net.hidden_sizes=16,32 train.do=False`): every
 * dotted key gives the run the flag form gives (same resolved config), every flag with a config
 * field has a key, the README's table is the generated one, and mistakes fail naming the key.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ONCE, TRAIN_FLAG_VALUES, useCliSandbox } from './cli.test-helpers';
import {
  DOTTED_KEYS,
  dottedOverridesTable,
  isOverride,
  withDottedOverrides,
} from './dotted-overrides';
import { type FlagTable, formatFlagValue } from './flag-spec';
import type { CliIo } from './io';
import { parseFlags } from './parse-flags';
import { resolveRun } from './resolve-config';
import { TRAIN_FLAGS } from './train-flags';

/** A quiet io for `withDottedOverrides`, collecting what it writes to stderr. */
function quietIo(): CliIo & { written: string[] } {
  const written: string[] = [];
  return {
    out: { write: () => true },
    err: { write: (t: string) => written.push(t) },
    cwd: '.',
    env: {},
    written,
  };
}

const overrides = (args: string[]) => withDottedOverrides({}, args, 'train', quietIo());

/** `value` in the seed's spelling: Python booleans, a Hydra list for `net.hidden_sizes`. */
function seedSpelling(key: string, value: unknown): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (key === 'net.hidden_sizes') return `[${formatFlagValue(value)}]`;
  return formatFlagValue(value);
}

describe.skipIf(!ONCE)('dotted overrides (the seed config style)', () => {
  const box = useCliSandbox('gcnn-dotted-');

  it('every override resolves to the run of the equivalent flags', () => {
    const args: string[] = [];
    const argv: string[] = [];
    for (const [key, flag] of Object.entries(DOTTED_KEYS)) {
      expect(TRAIN_FLAG_VALUES, `the fixture covers --${flag}`).toHaveProperty(flag);
      const value = (TRAIN_FLAG_VALUES as Record<string, unknown>)[flag];
      args.push(`${key}=${seedSpelling(key, value)}`);
      argv.push(`--${flag}=${formatFlagValue(value)}`);
    }
    const fromFlags = parseFlags(TRAIN_FLAGS, argv, 'train').given;
    const fromOverrides = overrides(args);
    expect(fromOverrides).toEqual(fromFlags);
    expect(fromOverrides).toEqual(TRAIN_FLAG_VALUES);
    expect(resolveRun(fromOverrides, 'train')).toEqual(resolveRun(fromFlags, 'train'));
  });

  it('every flag that sets a config field has an override', () => {
    const covered = new Set<string>(Object.values(DOTTED_KEYS));
    for (const [name, spec] of Object.entries(TRAIN_FLAGS as FlagTable)) {
      if (spec.key)
        expect(covered.has(name), `--${name} (${spec.key}) has a dotted key`).toBe(true);
    }
  });

  it('train.do=False is --test-only; debug=True is accepted and says what it does', () => {
    expect(overrides(['train.do=False'])).toEqual({ 'test-only': true });
    expect(overrides(['train.do=True'])).toEqual({ 'test-only': false });
    const io = quietIo();
    expect(withDottedOverrides({ epochs: 2 }, ['debug=True'], 'train', io)).toEqual({ epochs: 2 });
    expect(io.written.join('')).toMatch(/debug=True .*Weights & Biases.*changes nothing/);
    expect(overrides(['net.pooling=false', 'net.hidden_sizes=16,32'])).toEqual({
      pooling: false,
      'hidden-sizes': [16, 32],
    });
  });

  it('tells an override from a path or a positional', () => {
    expect(isOverride('net.hidden_sizes=16,32')).toBe(true);
    expect(isOverride('debug=True')).toBe(true);
    expect(isOverride('./runs/a=b')).toBe(false);
    expect(isOverride('--epochs=3')).toBe(false);
    expect(isOverride('model.pt')).toBe(false);
  });

  it('the README table is the generated one', () => {
    const readme = readFileSync(join(import.meta.dirname, '../README.md'), 'utf8');
    const between = readme.match(
      /<!-- dotted-overrides:start[^>]*-->\n([\s\S]*?)\n<!-- dotted-overrides:end -->/,
    );
    expect(between, 'README.md has the dotted-overrides markers').not.toBeNull();
    expect(between?.[1], 'regenerate with dottedOverridesTable()').toBe(dottedOverridesTable());
  });

  it('gcnn train rejects unknown keys (nearest suggested), mask.*, bad values and conflicts', async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ['train', 'net.hiden_sizes=16,32'],
        /unknown override 'net.hiden_sizes' \(did you mean net.hidden_sizes\?\)/,
      ],
      [['train', 'epochs=3'], /unknown override 'epochs' \(did you mean train.epochs\?\)/],
      [['train', 'optimizer.learning_rate=1e-3'], /did you mean optimizer.lr\?/],
      [['train', 'net.kernel_size=5'], /did you mean kernel.size\?/],
      [
        ['train', 'mask.type=gaussian'],
        /mask.type: mask.\* configures the learnable Gaussian mask of FlexConv, which gcnn does not have/,
      ],
      [['train', 'net.pooling=Maybe'], /--pooling must be a boolean .* \(from net.pooling=Maybe\)/],
      [['train', 'train.do=no'], /train.do=no: expected True or False/],
      [
        ['train', 'net.group=SO3'],
        /--group must be one of SE2, R2xRplus, Sim2, got "SO3" \(from net.group=SO3\)/,
      ],
      [
        ['train', '--epochs', '2', 'train.epochs=3'],
        /train.epochs=3 and --epochs both set --epochs; give it once/,
      ],
      [['train', 'stray'], /unexpected argument 'stray' .*overrides key.sub=value/],
      [
        ['train', 'train.do=False'],
        /--test-only \(train.do=False\) needs --load <checkpoint> \(pretrained.path=…\)/,
      ],
    ];
    for (const [argv, message] of cases) {
      const r = await box.run(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(message);
    }
    const help = await box.run(['train', '--help']);
    expect(help.out).toMatch(/Overrides in the seed's Hydra style/);
    expect(help.out).toMatch(/\n {2}net\.hidden_sizes=… +--hidden-sizes\n/);
    expect(help.out).toMatch(/\n {2}mask\.\* +rejected: gcnn has no FlexConv mask\n/);
  });
});
