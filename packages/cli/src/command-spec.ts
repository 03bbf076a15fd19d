import type { HELP_FLAG } from './common-flags';
import type { FlagTable, GivenFlags } from './flag-spec';
import { formatHelp } from './format-help';
import type { CliIo } from './io';
import { parseFlags } from './parse-flags';

/** A command's name, help texts and flag table (the one source of its flags and their help). */
export interface CommandSpec<T extends FlagTable> {
  name: string;
  /** The usage line of the help (`gcnn evaluate --checkpoint <dir|file> [flags]`). */
  usage: string;
  /** What the command does, under the usage line. */
  summary: string;
  flags: T;
  /** Help text after the flags (e.g. the overrides of `gcnn train`). */
  epilog?: string;
}

/**
 * Parses a command's arguments against its table; with `--help` writes the help (generated from
 * the table) and returns undefined.
 */
export function parseCommand<T extends FlagTable & { help: typeof HELP_FLAG }>(
  command: CommandSpec<T>,
  argv: readonly string[],
  io: CliIo,
): { given: GivenFlags<T>; positionals: string[] } | undefined {
  const parsed = parseFlags(command.flags, argv, command.name);
  if (!parsed.given.help) return parsed;
  io.out.write(formatHelp(command.usage, command.summary, command.flags) + (command.epilog ?? ''));
  return undefined;
}
