import {
  closeSync,
  fsyncSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileError } from './file-error';

/** The temp files of {@link atomicWriteFile}: `.<name>.tmp-<pid>-<time>`. */
const TEMP_FILE = /^\..+\.tmp-\d+-\d+$/;

/**
 * Writes `data` to `path` atomically: a temp file in the same folder, fsync, rename over `path`,
 * fsync of the folder. A crash leaves either the old file or the new one, never a mix (and at
 * worst a temp file, which {@link removeTempFiles} finds). An error (a full disk, no permission)
 * removes the temp file and names `path`: `cannot write '<path>': no space left on the device
 * (ENOSPC)`.
 */
export function atomicWriteFile(path: string, data: Uint8Array | string): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Date.now()}`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  try {
    const fd = openSync(tmp, 'w');
    try {
      let at = 0;
      while (at < bytes.byteLength) at += writeSync(fd, bytes, at, bytes.byteLength - at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw fileError(error, 'write', path);
  }
  try {
    const dirFd = openSync(dirname(path), 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Some file systems refuse fsync on a folder; the rename itself is still atomic.
  }
}

/**
 * Removes the temp files {@link atomicWriteFile} left in `dir` when its process was killed
 * mid-write. Only safe while no other process writes there (a run folder under its lock).
 * Returns the names removed.
 */
export function removeTempFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => TEMP_FILE.test(n));
  } catch {
    return [];
  }
  for (const n of names) rmSync(join(dir, n), { force: true });
  return names;
}
