import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The first of `names` (tried as given, then with `.gz`) that exists in `dir`; else an error naming all tried paths. */
export function findFile(
  dir: string,
  names: readonly string[],
  caller: string,
  what: string,
): string {
  const tried: string[] = [];
  for (const name of names) {
    for (const candidate of [name, `${name}.gz`]) {
      const path = join(dir, candidate);
      if (existsSync(path)) return path;
      tried.push(path);
    }
  }
  throw new Error(
    `Error in ${caller}: no ${what} found; tried ${tried.map((p) => `'${p}'`).join(', ')}`,
  );
}
