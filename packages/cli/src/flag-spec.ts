import type { ConfigKey, ConfigKeyFor } from './config-keys';

/** How a flag's value is parsed. */
export type FlagType = 'string' | 'int' | 'float' | 'boolean' | 'choice' | 'int-list';

/** A parsed flag value: a string (or choice), a number, a boolean or a list of integers. */
export type FlagValue = string | number | boolean | number[];

/**
 * One command-line flag: its type, help text, typed default and the config field it sets. A
 * command's flags are a {@link FlagTable}; build entries with {@link flag} so that their values
 * are typed.
 */
export interface FlagSpec<T extends FlagValue = FlagValue> {
  type: FlagType;
  description: string;
  /** Other spellings (`normalisation`). */
  aliases?: readonly string[];
  /** Allowed values of a `choice` flag (the exported constant of the package that owns them). */
  choices?: readonly T[];
  /** Accepted spellings mapped to a choice (`discretise` → `discretize`). */
  choiceAliases?: Readonly<Record<string, T>>;
  /** Also accept `--no-<name>` (booleans). */
  negatable?: boolean;
  /** The value when the flag is absent (shown in the help). */
  default?: T;
  /**
   * The default in words when it is not one fixed value (`max(batch size, 100)`, the preset's);
   * shown in the help instead of {@link default}. Generate it from the constants the code uses.
   */
  defaultText?: string;
  /** The config field the value goes to, a dotted path into the resolved run (`train.batchSize`). */
  key?: ConfigKey;
  /** Help section. */
  section?: string;
  /** The reference's spelling (`--num_group_elements`), for the help and README. */
  reference?: string;
  /** Minimum of a number (`int`/`float`) or of each list entry, inclusive. */
  min?: number;
  /** Maximum of a number (`int`/`float`) or of each list entry, inclusive. */
  max?: number;
}

/** A command's flags by name (kebab-case, without dashes), in help order. */
export type FlagTable = Readonly<Record<string, FlagSpec>>;

/** The value type of a flag entry: its choices, or what its `type` parses to. */
export type ValueOf<S> = S extends { type: 'choice'; choices: readonly (infer C)[] }
  ? C
  : S extends { type: 'int' | 'float' }
    ? number
    : S extends { type: 'boolean' }
      ? boolean
      : S extends { type: 'int-list' }
        ? number[]
        : string;

/** The flags given on the command line or in a config file: each may be absent. */
export type GivenFlags<T extends FlagTable> = { -readonly [K in keyof T]?: ValueOf<T[K]> };

/** Every flag's value after {@link withDefaults}: a flag with a default always has one. */
export type FlagValues<T extends FlagTable> = {
  -readonly [K in keyof T]: T[K] extends { default: FlagValue }
    ? ValueOf<T[K]>
    : ValueOf<T[K]> | undefined;
};

/** What a builder of {@link flag} takes: the spec without its type, its key typed by the value. */
type FlagOptions<T extends FlagValue> = Omit<FlagSpec<T>, 'type' | 'choices' | 'key'> & {
  key?: ConfigKeyFor<T>;
};

/** A built flag: `type` as a literal, and `default` required in the type when one was given. */
type Flag<K extends FlagType, T extends FlagValue, O> = FlagSpec<T> & { type: K } & (O extends {
    default: T;
  }
    ? { default: T }
    : unknown);

/**
 * Builders of {@link FlagSpec}s whose types carry the value type, the default and the config key
 * (a key whose field has another type does not compile):
 *
 * ```ts
 * const FLAGS = {
 *   'batch-size': flag.int({ min: 1, key: 'train.batchSize', description: 'Batch size' }),
 *   backend: flag.choice(BACKEND_NAMES, { default: 'wasm', description: 'tfjs backend' }),
 * };
 * ```
 */
export const flag = {
  string: <O extends FlagOptions<string>>(options: O) =>
    ({ ...options, type: 'string' }) as Flag<'string', string, O>,
  int: <O extends FlagOptions<number>>(options: O) =>
    ({ ...options, type: 'int' }) as Flag<'int', number, O>,
  float: <O extends FlagOptions<number>>(options: O) =>
    ({ ...options, type: 'float' }) as Flag<'float', number, O>,
  boolean: <O extends FlagOptions<boolean>>(options: O) =>
    ({ ...options, type: 'boolean' }) as Flag<'boolean', boolean, O>,
  intList: <O extends FlagOptions<number[]>>(options: O) =>
    ({ ...options, type: 'int-list' }) as Flag<'int-list', number[], O>,
  choice: <C extends string, O extends FlagOptions<C>>(choices: readonly C[], options: O) =>
    ({ ...options, type: 'choice', choices }) as Flag<'choice', C, O> & {
      choices: readonly C[];
    },
};

/** `spec` with another default (e.g. `--backend` defaulting to cpu in `gcnn info`). */
export function withDefault<S extends FlagSpec, T extends ValueOf<S>>(
  spec: S,
  value: T,
): S & { default: T } {
  return { ...spec, default: value };
}

/** The given values, and every absent flag's default. */
export function withDefaults<T extends FlagTable>(table: T, given: GivenFlags<T>): FlagValues<T> {
  const values: Record<string, FlagValue | undefined> = {};
  for (const [name, spec] of Object.entries(table)) {
    values[name] = (given as Record<string, FlagValue | undefined>)[name] ?? spec.default;
  }
  return values as FlagValues<T>;
}

/** A value as the command line spells it (`16,32`, `true`). */
export function formatFlagValue(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}
