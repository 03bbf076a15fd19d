import type { FlagSpec, FlagTable, FlagValue, GivenFlags } from './flag-spec';
import { UsageError } from './usage-error';

/** A flag entry with its name. */
export interface NamedFlag {
  name: string;
  spec: FlagSpec;
}

/** The flags of a table by every spelling (name and aliases). */
export function flagLookup(table: FlagTable): Map<string, NamedFlag> {
  const byName = new Map<string, NamedFlag>();
  for (const [name, spec] of Object.entries(table)) {
    byName.set(name, { name, spec });
    for (const alias of spec.aliases ?? []) byName.set(alias, { name, spec });
  }
  return byName;
}

/** Converts one raw value (from argv or a config file) to the flag's type; throws naming the flag. */
export function convertFlagValue(
  name: string,
  spec: FlagSpec,
  raw: unknown,
  command: string,
): FlagValue {
  const bad = (expected: string): never => {
    throw new UsageError(
      `gcnn ${command}: --${name} must be ${expected}, got ${JSON.stringify(raw)}`,
    );
  };
  const inRange = (n: number) =>
    (spec.min === undefined || n >= spec.min) && (spec.max === undefined || n <= spec.max);
  const range =
    spec.max === undefined
      ? ` ≥ ${spec.min}`
      : spec.min === undefined
        ? ` ≤ ${spec.max}`
        : ` in [${spec.min}, ${spec.max}]`;
  switch (spec.type) {
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      if (raw === '1' || raw === 'true' || raw === 1) return true;
      if (raw === '0' || raw === 'false' || raw === 0) return false;
      return bad('a boolean (true/false/1/0)');
    }
    case 'int':
    case 'float': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
      const what = spec.type === 'int' ? 'an integer' : 'a number';
      const ok = spec.type === 'int' ? Number.isInteger(n) : Number.isFinite(n);
      if (String(raw).trim() === '' || !ok) return bad(what);
      if (!inRange(n)) return bad(`${what}${range}`);
      return n;
    }
    case 'int-list': {
      if (Array.isArray(raw)) {
        if (!raw.every((x) => Number.isInteger(x)))
          return bad('a comma-separated list of integers');
        return raw.map(Number);
      }
      if (typeof raw === 'number' && Number.isInteger(raw)) return [raw];
      const s = String(raw).trim();
      if (s === '') return [];
      const parts = s.split(',').map((p) => Number(p.trim()));
      if (!parts.every((n) => Number.isInteger(n)))
        return bad('a comma-separated list of integers (e.g. 32,32,64)');
      if (!parts.every(inRange)) return bad(`a comma-separated list of integers${range}`);
      return parts;
    }
    case 'choice': {
      const s = String(raw);
      const resolved = spec.choiceAliases?.[s] ?? s;
      if (!spec.choices?.includes(resolved)) return bad(`one of ${spec.choices?.join(', ')}`);
      return resolved;
    }
    default:
      return String(raw);
  }
}

/** The flag an argument names (`--name`, `--no-name`, `--ref_name`) and its inline value. */
function namedFlag(
  arg: string,
  byName: Map<string, NamedFlag>,
  command: string,
): { flag: NamedFlag; inline: string | undefined } {
  const eq = arg.indexOf('=');
  // Accept the reference's snake_case spelling too.
  const key = (eq >= 0 ? arg.slice(2, eq) : arg.slice(2)).replace(/_/g, '-');
  const inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
  const flag = byName.get(key);
  if (flag) return { flag, inline };
  const negated = key.startsWith('no-') ? byName.get(key.slice(3)) : undefined;
  if (negated?.spec.negatable) {
    if (inline !== undefined) throw new UsageError(`gcnn ${command}: --${key} takes no value`);
    return { flag: negated, inline: 'false' };
  }
  const close = [...byName.keys()].filter((n) => n.includes(key) || key.includes(n)).slice(0, 3);
  throw new UsageError(
    `gcnn ${command}: unknown flag --${key}${close.length ? ` (did you mean ${close.map((c) => `--${c}`).join(', ')}?)` : ''}; see gcnn ${command} --help`,
  );
}

/**
 * Parses `argv` against a flag table: `--name value`, `--name=value`, bare booleans `--name`,
 * `--no-name` for negatable ones; aliases and the reference's snake_case accepted. Unknown flags,
 * missing values and bad values throw a {@link UsageError} naming the flag and what is allowed.
 * Returns only the flags given (see `withDefaults` for the rest).
 */
export function parseFlags<T extends FlagTable>(
  table: T,
  argv: readonly string[],
  command: string,
): { given: GivenFlags<T>; positionals: string[] } {
  const byName = flagLookup(table);
  const given: Record<string, FlagValue> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    // `-h` is the one short option: `--help`.
    const arg = argv[i] === '-h' ? '--help' : (argv[i] as string);
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      if (arg.startsWith('-') && arg !== '-') {
        throw new UsageError(
          `gcnn ${command}: unknown option ${arg}; options are long flags (--name value); see gcnn ${command} --help`,
        );
      }
      positionals.push(arg);
      continue;
    }
    const { flag, inline } = namedFlag(arg, byName, command);
    let raw = inline;
    if (raw === undefined && flag.spec.type === 'boolean') raw = 'true';
    if (raw === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        const choices = flag.spec.choices ? ` (one of ${flag.spec.choices.join(', ')})` : '';
        throw new UsageError(`gcnn ${command}: --${flag.name} needs a value${choices}`);
      }
      raw = next;
      i++;
    }
    given[flag.name] = convertFlagValue(flag.name, flag.spec, raw, command);
  }
  return { given: given as GivenFlags<T>, positionals };
}
