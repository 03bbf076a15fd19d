import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$GCNN_CACHE_DIR`, else `$XDG_CACHE_HOME/gcnn`, else `~/.cache/gcnn`. */
export function defaultCacheDir(): string {
  const env = process.env;
  if (env.GCNN_CACHE_DIR) return env.GCNN_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'gcnn');
  return join(homedir(), '.cache', 'gcnn');
}
