/**
 * The flag tables are the one source of the CLI's flags: every flag that names a config key puts
 * its value there (and its table default when absent), the help shows every flag with the
 * default the code uses, and the tables' types reject a key of another type or a default outside
 * the choices (checked by `tsc`, see the `@ts-expect-error` lines). Backend-free: runs once.
 */
import { describe, expect, it } from 'vitest';
import { ONCE, TRAIN_FLAG_VALUES, useCliSandbox } from './cli.test-helpers';
import type { CommandSpec } from './command-spec';
import { configValueAt } from './config-keys';
import { EVALUATE_COMMAND } from './evaluate-command';
import { EXPORT_COMMAND } from './export-command';
import { type FlagTable, flag, formatFlagValue, withDefaults } from './flag-spec';
import { IMPORT_TORCH_COMMAND } from './import-torch-command';
import { INFO_COMMAND } from './info-command';
import { parseFlags } from './parse-flags';
import { resolveRun } from './resolve-config';
import { TRAIN_COMMAND } from './train-command';
import { TRAIN_FLAGS } from './train-flags';
import { VISUALIZE_COMMAND } from './visualize-command';

/** A value for every flag of `gcnn train` that names a config key, none of them its default. */
const EVERY_KEYED_FLAG = TRAIN_FLAG_VALUES;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const keyed = Object.entries(TRAIN_FLAGS as FlagTable).filter(([, spec]) => spec.key);

describe.skipIf(!ONCE)('flag tables', () => {
  const box = useCliSandbox('gcnn-flags-');

  it('every flag with a config key puts its value at that key of the resolved run', () => {
    const run = resolveRun(EVERY_KEYED_FLAG, 'train');
    expect(keyed.length).toBeGreaterThan(30);
    for (const [name, spec] of keyed) {
      expect(EVERY_KEYED_FLAG, `the fixture covers --${name}`).toHaveProperty(name);
      const given = (EVERY_KEYED_FLAG as Record<string, unknown>)[name];
      expect(configValueAt(run, spec.key as string), `--${name} → ${spec.key}`).toEqual(given);
    }
  });

  it("a flag's table default is the value the run gets when it is absent", () => {
    const run = resolveRun({ optimizer: 'sgd' }, 'train');
    const withDefault = keyed.filter(([, spec]) => spec.default !== undefined);
    expect(withDefault.map(([name]) => name)).toEqual(
      expect.arrayContaining(['dataset', 'momentum', 'seed', 'checkpoint-every', 'print-interval']),
    );
    for (const [name, spec] of withDefault) {
      expect(configValueAt(run, spec.key as string), `--${name}`).toEqual(spec.default);
    }
  });

  it('parses into typed values; withDefaults fills the defaults of absent flags only', () => {
    const { given } = parseFlags(TRAIN_FLAGS, ['--workers=2', '--hidden-sizes', '8,16'], 'train');
    expect(given).toEqual({ workers: 2, 'hidden-sizes': [8, 16] });
    const values = withDefaults(TRAIN_FLAGS, given);
    expect(values).toMatchObject({ workers: 2, backend: 'wasm', 'print-interval': 10 });
    expect(values.epochs).toBeUndefined();
  });

  const commands: Array<CommandSpec<FlagTable>> = [
    TRAIN_COMMAND,
    EVALUATE_COMMAND,
    EXPORT_COMMAND,
    IMPORT_TORCH_COMMAND,
    INFO_COMMAND,
    VISUALIZE_COMMAND,
  ];
  for (const command of commands) {
    it(`gcnn ${command.name} --help shows every flag with its default`, async () => {
      const r = await box.run([command.name, '--help']);
      expect(r.code).toBe(0);
      for (const [name, spec] of Object.entries(command.flags)) {
        const shown =
          spec.defaultText ??
          (spec.default !== undefined ? formatFlagValue(spec.default) : undefined);
        const pattern = `\\n  --${name}\\b[^\\n]*\\n[^\\n]*${shown === undefined ? '' : `\\(default: ${escapeRegExp(shown)}[;)]`}`;
        expect(r.out, `--${name}`).toMatch(new RegExp(pattern));
      }
    });
  }

  it('the tables are typed: a key must take the flag’s value, a default must be a choice', () => {
    // @ts-expect-error model.group takes a group name, not a number
    flag.int({ description: 'x', key: 'model.group' });
    // @ts-expect-error no such config field
    flag.int({ description: 'x', key: 'train.epochz' });
    // @ts-expect-error 'tpu' is not a choice
    flag.choice(['wasm', 'cpu'] as const, { description: 'x', default: 'tpu' });
    const values = withDefaults(TRAIN_FLAGS, {});
    const workers: number = values.workers;
    // @ts-expect-error --epochs has no fixed default (it depends on the preset)
    const epochs: number = values.epochs;
    expect([workers, epochs]).toEqual([1, undefined]);
  });
});
