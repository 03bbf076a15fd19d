/** How a flag's value is parsed. */
export type FlagType = 'string' | 'int' | 'float' | 'boolean' | 'choice' | 'int-list';

/** One command-line flag: its spelling, type, help text and (for choices) the allowed values. */
export interface FlagSpec {
  /** Long name without dashes, kebab-case (`num-group-elements`). */
  name: string;
  type: FlagType;
  description: string;
  /** Other spellings (`normalisation`). */
  aliases?: readonly string[];
  /** Allowed values of a `choice` flag. */
  choices?: readonly string[];
  /** Accepted spellings mapped to a choice (`discretise` → `discretize`). */
  choiceAliases?: Readonly<Record<string, string>>;
  /** Also accept `--no-<name>` (booleans). */
  negatable?: boolean;
  /** Shown in the help (the value used when the flag is absent). */
  defaultText?: string;
  /** Help section. */
  section?: string;
  /** The reference's spelling (`--num_group_elements`), for the help and README. */
  reference?: string;
  /** Minimum of a number (`int`/`float`), inclusive. */
  min?: number;
}

/** Parsed values by flag name; booleans are `true`/`false`, lists are arrays. */
export type FlagValues = Record<string, string | number | boolean | number[]>;

/** A user error on the command line: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Converts one raw value (from argv or a config file) to the flag's type; throws naming the flag. */
export function convertFlagValue(
  spec: FlagSpec,
  raw: unknown,
  command: string,
): FlagValues[string] {
  const bad = (expected: string): never => {
    throw new UsageError(
      `gcnn ${command}: --${spec.name} must be ${expected}, got ${JSON.stringify(raw)}`,
    );
  };
  switch (spec.type) {
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      if (raw === '1' || raw === 'true' || raw === 1) return true;
      if (raw === '0' || raw === 'false' || raw === 0) return false;
      return bad('a boolean (true/false/1/0)');
    }
    case 'int': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (String(raw).trim() === '' || !Number.isInteger(n)) return bad('an integer');
      if (spec.min !== undefined && n < spec.min) return bad(`an integer ≥ ${spec.min}`);
      return n;
    }
    case 'float': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (String(raw).trim() === '' || !Number.isFinite(n)) return bad('a number');
      if (spec.min !== undefined && n < spec.min) return bad(`a number ≥ ${spec.min}`);
      return n;
    }
    case 'int-list': {
      if (Array.isArray(raw)) {
        if (!raw.every((x) => Number.isInteger(x)))
          return bad('a comma-separated list of integers');
        return raw as number[];
      }
      if (typeof raw === 'number' && Number.isInteger(raw)) return [raw];
      const s = String(raw).trim();
      if (s === '') return [];
      const parts = s.split(',').map((p) => Number(p.trim()));
      if (!parts.every((n) => Number.isInteger(n)))
        return bad('a comma-separated list of integers (e.g. 32,32,64)');
      if (spec.min !== undefined && parts.some((n) => n < (spec.min as number))) {
        return bad(`a comma-separated list of integers ≥ ${spec.min}`);
      }
      return parts;
    }
    case 'choice': {
      const s = String(raw);
      const resolved = spec.choiceAliases?.[s] ?? s;
      if (!spec.choices?.includes(resolved)) {
        return bad(`one of ${spec.choices?.join(', ')}`);
      }
      return resolved;
    }
    default:
      return String(raw);
  }
}

/**
 * Parses `argv` against `specs`: `--name value`, `--name=value`, bare booleans `--name`,
 * `--no-name` for negatable ones; aliases accepted. Unknown flags, missing values and bad values
 * throw a {@link UsageError} naming the flag and what is allowed.
 */
export function parseFlags(
  specs: readonly FlagSpec[],
  argv: readonly string[],
  command: string,
): { values: FlagValues; positionals: string[] } {
  const byName = new Map<string, FlagSpec>();
  for (const s of specs) {
    byName.set(s.name, s);
    for (const a of s.aliases ?? []) byName.set(a, s);
  }
  const values: FlagValues = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--') || arg === '--') {
      if (arg === '--') {
        positionals.push(...argv.slice(i + 1));
        break;
      }
      if (arg.startsWith('-') && arg !== '-' && arg !== '-h') {
        throw new UsageError(
          `gcnn ${command}: unknown option ${arg}; options are long flags (--name value); see gcnn ${command} --help`,
        );
      }
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    let key = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let inline: string | undefined = eq >= 0 ? arg.slice(eq + 1) : undefined;
    // Accept the reference's snake_case spelling too.
    key = key.replace(/_/g, '-');
    let spec = byName.get(key);
    let negated = false;
    if (!spec && key.startsWith('no-')) {
      const base = byName.get(key.slice(3));
      if (base?.negatable) {
        spec = base;
        negated = true;
        if (inline !== undefined) {
          throw new UsageError(`gcnn ${command}: --${key} takes no value`);
        }
        inline = 'false';
      }
    }
    if (!spec) {
      const close = [...byName.keys()]
        .filter((n) => n.includes(key) || key.includes(n))
        .slice(0, 3);
      throw new UsageError(
        `gcnn ${command}: unknown flag --${key}${close.length ? ` (did you mean ${close.map((c) => `--${c}`).join(', ')}?)` : ''}; see gcnn ${command} --help`,
      );
    }
    let raw: string;
    if (inline !== undefined) raw = inline;
    else if (spec.type === 'boolean') raw = 'true';
    else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw new UsageError(
          `gcnn ${command}: --${spec.name} needs a value${spec.choices ? ` (one of ${spec.choices.join(', ')})` : ''}`,
        );
      }
      raw = next;
      i++;
    }
    values[spec.name] = convertFlagValue(spec, raw, command);
    void negated;
  }
  return { values, positionals };
}

/** Help text of a command: usage line, then the flags by section with their descriptions. */
export function formatHelp(usage: string, summary: string, specs: readonly FlagSpec[]): string {
  const lines = [`Usage: ${usage}`, '', summary, ''];
  const sections = [...new Set(specs.map((s) => s.section ?? 'Options'))];
  for (const section of sections) {
    lines.push(`${section}:`);
    for (const s of specs.filter((x) => (x.section ?? 'Options') === section)) {
      const value =
        s.type === 'boolean'
          ? ''
          : s.type === 'choice'
            ? ` <${s.choices?.join('|')}>`
            : s.type === 'int-list'
              ? ' <n,n,…>'
              : s.type === 'int'
                ? ' <int>'
                : s.type === 'float'
                  ? ' <number>'
                  : ' <value>';
      const names = [`--${s.name}`, ...(s.aliases ?? []).map((a) => `--${a}`)];
      if (s.negatable) names.push(`--no-${s.name}`);
      lines.push(`  ${names.join(', ')}${value}`);
      const extra: string[] = [];
      if (s.defaultText) extra.push(`default: ${s.defaultText}`);
      if (s.reference) extra.push(`reference: ${s.reference}`);
      lines.push(`      ${s.description}${extra.length ? ` (${extra.join('; ')})` : ''}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
