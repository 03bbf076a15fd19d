/**
 * @file The seed's Hydra-style overrides for `gcnn train`: `net.hidden_sizes=16,32
 * optimizer.lr=1e-3 train.do=False`. Each dotted key is another spelling of one flag of the train
 * table (so it sets the same config field, parsed and checked the same way); the seed README's
 * namespaces (`net.* kernel.* conv.* dataset.* train.* optimizer.* pretrained.*`) with the
 * reference's argument names. `train.do`, `debug` and `mask.*` are the special cases below.
 */
import type { FlagSpec, FlagTable, FlagValue, GivenFlags } from './flag-spec';
import type { CliIo } from './io';
import { nearestName } from './nearest-name';
import { convertFlagValue } from './parse-flags';
import { TRAIN_FLAGS } from './train-flags';
import { errorMessage, UsageError } from './usage-error';

type TrainFlags = typeof TRAIN_FLAGS;
type TrainFlagName = keyof TrainFlags & string;

/** Every dotted key and the flag of `gcnn train` it sets, in the order of the README's table. */
export const DOTTED_KEYS = {
  preset: 'preset',
  'net.model': 'model',
  'net.group': 'group',
  'net.num_group_elements': 'num-group-elements',
  'net.sampling_method': 'sampling-method',
  'net.max_scale': 'max-scale',
  'net.hidden_sizes': 'hidden-sizes',
  'net.widen_factor': 'widen-factor',
  'net.pooling': 'pooling',
  'net.normalisation': 'normalization',
  'net.dropout': 'dropout',
  'kernel.size': 'kernel-size',
  'kernel.num_hidden': 'ck-net-num-hidden',
  'kernel.hidden_size': 'ck-net-hidden-size',
  'kernel.first_omega_0': 'first-omega-0',
  'kernel.omega_0': 'omega-0',
  'conv.implementation': 'implementation',
  'conv.padding': 'padding',
  'conv.stride': 'stride',
  'conv.compatibility': 'compatibility',
  'dataset.name': 'dataset',
  'dataset.data_dir': 'data-dir',
  'dataset.augment': 'augment',
  'dataset.limit_train': 'limit-train',
  'dataset.limit_test': 'limit-test',
  'train.epochs': 'epochs',
  'train.batch_size': 'batch-size',
  'train.eval_batch_size': 'eval-batch-size',
  'train.eval_every': 'eval-every',
  'train.max_steps': 'max-steps',
  'train.checkpoint_every': 'checkpoint-every',
  'train.print_interval': 'print-interval',
  'train.accumulate_steps': 'accumulate-steps',
  'train.memory': 'memory',
  'train.on_nonfinite': 'on-nonfinite',
  seed: 'seed',
  'optimizer.name': 'optimizer',
  'optimizer.lr': 'learning-rate',
  'optimizer.weight_decay': 'weight-decay',
  'optimizer.momentum': 'momentum',
  'optimizer.nesterov': 'nesterov',
  'optimizer.lr_schedule': 'lr-schedule',
  'optimizer.lr_steps': 'lr-steps',
  'optimizer.lr_gamma': 'lr-gamma',
  'pretrained.path': 'load',
} as const satisfies Record<string, TrainFlagName>;

/** `train.do=False`: only test (the flag `--test-only`, which needs `pretrained.path`). */
const TRAIN_DO = 'train.do';
/** `debug=True`: accepted; what it does is {@link DEBUG_NOTE}. */
const DEBUG = 'debug';

/** What `debug=True` does in gcnn (printed when it is given). */
export const DEBUG_NOTE =
  'debug=True turns off Weights & Biases in the seed; gcnn never logs anywhere but the run folder, so it changes nothing (GCNN_DEBUG=1 prints stack traces)';

/** Why `mask.*` has no gcnn equivalent. */
export const MASK_NOTE =
  "mask.* configures the learnable Gaussian mask of FlexConv, which gcnn does not have: gcnn's kernels are the reference's, with fixed masks that no option changes (hard disk on SE(2), smooth disk on Sim(2), smooth square on R2xRplus; reference §3.4)";

/** Every key an override may name (the table's and the special ones), for suggestions. */
const ALL_KEYS: readonly string[] = [...Object.keys(DOTTED_KEYS), TRAIN_DO, DEBUG];

/**
 * The key to suggest for an unknown one: the key of the flag its last part names (the reference's
 * `optimizer.learning_rate` → `optimizer.lr`, `net.kernel_size` → `kernel.size`), else the nearest
 * key by spelling.
 */
function suggestion(key: string): string | undefined {
  const last = key.slice(key.lastIndexOf('.') + 1).replace(/_/g, '-');
  const table = TRAIN_FLAGS as FlagTable;
  const named = Object.entries(DOTTED_KEYS).find(
    ([, flag]) => flag === last || table[flag]?.aliases?.includes(last),
  );
  return named?.[0] ?? nearestName(key, ALL_KEYS);
}

/**
 * The raw value of an override in the CLI's spelling: Python booleans (`True`/`False`) of a
 * boolean flag, and a Hydra list (`[16,32]`) of a list flag.
 */
function cliSpelling(spec: FlagSpec, raw: string): string {
  if (spec.type === 'boolean' && (raw === 'True' || raw === 'False')) return raw.toLowerCase();
  if (spec.type === 'int-list' && /^\[.*\]$/.test(raw.trim())) return raw.trim().slice(1, -1);
  return raw;
}

const BOOLEANS: Readonly<Record<string, boolean>> = {
  True: true,
  False: false,
  true: true,
  false: false,
  1: true,
  0: false,
};

/** The boolean of `train.do` and `debug`. */
function booleanOf(arg: string, raw: string, command: string): boolean {
  const value = BOOLEANS[raw];
  if (value === undefined) {
    throw new UsageError(`gcnn ${command}: ${arg}: expected True or False (or true/false/1/0)`);
  }
  return value;
}

/** One `key=value` override as the flag it sets and its value; throws naming the key. */
function parseOverride(
  arg: string,
  command: string,
  io: CliIo,
): { flag: TrainFlagName; value: FlagValue } | undefined {
  const eq = arg.indexOf('=');
  const key = arg.slice(0, eq);
  const raw = arg.slice(eq + 1);
  const convert = (flag: TrainFlagName, text: string) => {
    const spec = (TRAIN_FLAGS as FlagTable)[flag] as FlagSpec;
    try {
      return convertFlagValue(flag, spec, cliSpelling(spec, text), command);
    } catch (error) {
      throw new UsageError(`${errorMessage(error)} (from ${arg})`);
    }
  };
  if (key === TRAIN_DO) return { flag: 'test-only', value: !booleanOf(arg, raw, command) };
  if (key === DEBUG) {
    if (booleanOf(arg, raw, command)) io.err.write(`gcnn ${command}: ${DEBUG_NOTE}\n`);
    return undefined;
  }
  if (key === 'mask' || key.startsWith('mask.'))
    throw new UsageError(`gcnn ${command}: ${key}: ${MASK_NOTE}`);
  const flag = (DOTTED_KEYS as Record<string, TrainFlagName>)[key];
  if (flag === undefined) {
    throw new UsageError(
      `gcnn ${command}: unknown override '${key}' (did you mean ${suggestion(key)}?); see gcnn ${command} --help`,
    );
  }
  return { flag, value: convert(flag, raw) };
}

/** Whether a command-line argument is a `key=value` override (not a flag, not a path). */
export function isOverride(arg: string): boolean {
  return /^[A-Za-z_][\w.]*=/.test(arg);
}

/**
 * The flags given on the command line plus the `key=value` overrides among `positionals`
 * (anything else there is an error). An override and a flag, or two overrides, that set the same
 * flag are an error: the order of the arguments would decide silently.
 */
export function withDottedOverrides(
  given: GivenFlags<TrainFlags>,
  positionals: readonly string[],
  command: string,
  io: CliIo,
): GivenFlags<TrainFlags> {
  const merged: Record<string, FlagValue> = { ...given } as Record<string, FlagValue>;
  const from = new Map<string, string>();
  for (const arg of positionals) {
    if (!isOverride(arg)) {
      throw new UsageError(
        `gcnn ${command}: unexpected argument '${arg}' (flags are --name value, overrides key.sub=value, e.g. net.hidden_sizes=16,32; see gcnn ${command} --help)`,
      );
    }
    const override = parseOverride(arg, command, io);
    if (!override) continue;
    const { flag, value } = override;
    if (merged[flag] !== undefined) {
      const other = from.get(flag) ?? `--${flag}`;
      throw new UsageError(`gcnn ${command}: ${arg} and ${other} both set --${flag}; give it once`);
    }
    merged[flag] = value;
    from.set(flag, arg);
  }
  return merged as GivenFlags<TrainFlags>;
}

/**
 * What the overrides of flags without a config `key` set (resolve-config.ts and train-plan.ts
 * build those fields from the flag), for the README's table.
 */
const SETS_WITHOUT_KEY: Partial<Record<TrainFlagName, string>> = {
  preset: 'the model preset the other fields override',
  'num-group-elements': '`model.sampleCount`',
  'lr-schedule': '`train.lrSchedule.kind`',
  'lr-steps': '`train.lrSchedule.milestones` (multistep)',
  'lr-gamma': '`train.lrSchedule.gamma` (multistep)',
  load: 'the checkpoint or model file the model starts from',
};

/** The help's list of overrides (`gcnn train --help`), generated from {@link DOTTED_KEYS}. */
export function dottedOverridesHelp(): string {
  const rows: Array<[string, string]> = Object.entries(DOTTED_KEYS).map(([key, flag]) => [
    `${key}=…`,
    `--${flag}`,
  ]);
  rows.push([`${TRAIN_DO}=False`, 'only test (--test-only; needs pretrained.path)']);
  rows.push([`${DEBUG}=True`, 'accepted, changes nothing (gcnn has no Weights & Biases)']);
  rows.push(['mask.*', 'rejected: gcnn has no FlexConv mask']);
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  return [
    "Overrides in the seed's Hydra style, key=value among the flags (values as the flag takes them; Python's True/False and [16,32] lists accepted):",
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}${v}`),
    '',
  ].join('\n');
}

/** The README's table of overrides (packages/cli/README.md), generated from {@link DOTTED_KEYS}. */
export function dottedOverridesTable(): string {
  const rows = Object.entries(DOTTED_KEYS).map(([key, flag]) => {
    const spec = (TRAIN_FLAGS as FlagTable)[flag] as FlagSpec;
    const sets = spec.key ? `\`${spec.key}\`` : SETS_WITHOUT_KEY[flag];
    if (sets === undefined) throw new Error(`dottedOverridesTable: say what --${flag} sets`);
    return `| \`${key}\` | \`--${flag}\` | ${sets} |`;
  });
  return [
    '| override | flag | sets |',
    '| --- | --- | --- |',
    ...rows,
    `| \`${TRAIN_DO}=False\` | \`--test-only\` | only test the model of \`pretrained.path\` (\`${TRAIN_DO}=True\`, the default, trains) |`,
    `| \`${DEBUG}=True\` | — | nothing: ${DEBUG_NOTE.replace(/^debug=True /, '')} |`,
    `| \`mask.*\` | — | rejected: ${MASK_NOTE.replace(/^mask\.\* /, '')} |`,
  ].join('\n');
}
