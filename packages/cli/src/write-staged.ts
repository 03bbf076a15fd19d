import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isProcessRunning, withFileError } from '@gcnn/training/node';

/** A staging folder: `.<out>.staging-<pid>-<time>`, next to the output folder. */
const STAGING = /^\.(.+)\.staging-(\d+)-\d+$/;

/**
 * Writes a command's output files all or nothing: `write` fills a staging folder next to
 * `outDir` (and checks them there, e.g. by reading them back); only when it succeeds are the
 * files moved into `outDir` (the folder renamed when `outDir` does not exist yet, else file by
 * file, each rename atomic, the JSON files that name the others last). A failure removes the staging folder, so a
 * failed export or import leaves no files. Staging folders of killed runs (their process gone)
 * are removed first and reported through `onNotice`.
 */
export async function writeStaged<T>(
  outDir: string,
  write: (stagingDir: string) => Promise<T>,
  onNotice: (line: string) => void,
): Promise<T> {
  if (existsSync(outDir) && !statSync(outDir).isDirectory())
    throw new Error(`--out '${outDir}' is a file, expected a folder`);
  const parent = dirname(outDir);
  withFileError('create the folder', parent, () => mkdirSync(parent, { recursive: true }));
  removeStaleStaging(parent, basename(outDir), onNotice);
  const staging = join(parent, `.${basename(outDir)}.staging-${process.pid}-${Date.now()}`);
  mkdirSync(staging);
  try {
    const result = await write(staging);
    if (!existsSync(outDir)) renameSync(staging, outDir);
    else {
      // The JSON files last: they name the weights files, so a kill in between leaves old JSON.
      const files = readdirSync(staging).sort(
        (a, b) => Number(a.endsWith('.json')) - Number(b.endsWith('.json')),
      );
      for (const f of files) renameSync(join(staging, f), join(outDir, f));
      rmSync(staging, { recursive: true, force: true });
    }
    return result;
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Removes the staging folders of `name` in `parent` whose process no longer runs. */
function removeStaleStaging(parent: string, name: string, onNotice: (line: string) => void) {
  for (const entry of readdirSync(parent)) {
    const m = STAGING.exec(entry);
    if (!m || m[1] !== name || isProcessRunning(Number(m[2]))) continue;
    rmSync(join(parent, entry), { recursive: true, force: true });
    onNotice(`removed the staging folder of an interrupted write: ${join(parent, entry)}`);
  }
}
