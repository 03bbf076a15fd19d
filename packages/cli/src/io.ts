import type { ProgressStream } from './progress-bar';

/** Where a command writes: results to `out` (stdout), progress and diagnostics to `err` (stderr). */
export interface CliIo {
  out: { write(text: string): unknown };
  err: ProgressStream;
  /** Resolves relative paths (default: the directory the user ran the command from). */
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** The process's streams; relative paths resolve against pnpm's INIT_CWD when run as a pnpm script. */
export function processIo(): CliIo {
  const env = process.env;
  return {
    out: process.stdout,
    err: process.stderr,
    cwd: env.npm_lifecycle_event && env.INIT_CWD ? env.INIT_CWD : process.cwd(),
    env,
  };
}
