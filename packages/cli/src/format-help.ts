import { type FlagSpec, type FlagTable, formatFlagValue } from './flag-spec';

const PLACEHOLDERS: Record<FlagSpec['type'], string> = {
  boolean: '',
  choice: '',
  'int-list': ' <n,n,…>',
  int: ' <int>',
  float: ' <number>',
  string: ' <value>',
};

/** `--name, --alias <placeholder>` of one flag. */
function flagLine(name: string, spec: FlagSpec): string {
  const names = [name, ...(spec.aliases ?? [])].map((n) => `--${n}`);
  if (spec.negatable) names.push(`--no-${name}`);
  const value = spec.type === 'choice' ? ` <${spec.choices?.join('|')}>` : PLACEHOLDERS[spec.type];
  return `  ${names.join(', ')}${value}`;
}

/** The description with the default (from the table: the value the code uses) and the reference's spelling. */
function descriptionLine(spec: FlagSpec): string {
  const extra: string[] = [];
  const shownDefault =
    spec.defaultText ?? (spec.default !== undefined ? formatFlagValue(spec.default) : undefined);
  if (shownDefault !== undefined) extra.push(`default: ${shownDefault}`);
  if (spec.reference) extra.push(`reference: ${spec.reference}`);
  return `      ${spec.description}${extra.length ? ` (${extra.join('; ')})` : ''}`;
}

/** Help text of a command: usage line, summary, then the flags by section, generated from the table. */
export function formatHelp(usage: string, summary: string, table: FlagTable): string {
  const lines = [`Usage: ${usage}`, '', summary, ''];
  const entries = Object.entries(table);
  const sectionOf = (spec: FlagSpec) => spec.section ?? 'Options';
  for (const section of new Set(entries.map(([, spec]) => sectionOf(spec)))) {
    lines.push(`${section}:`);
    for (const [name, spec] of entries) {
      if (sectionOf(spec) === section) lines.push(flagLine(name, spec), descriptionLine(spec));
    }
    lines.push('');
  }
  return lines.join('\n');
}
