/**
 * @file One writer per run folder: an exclusive lock file created with `O_EXCL`, holding who took
 * it. A lock whose process is gone (killed, crashed) is recovered by the next writer, which says so.
 */
import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileError } from './file-error';

/** The lock file in a run folder. */
export const LOCK_FILE = '.gcnn.lock';

/** Who holds a lock: what its file records. */
export interface LockOwner {
  pid: number;
  host: string;
  /** When the lock was taken (ISO 8601). */
  startedAt: string;
  /** What holds it (`gcnn train`). */
  command: string;
  /** The process's start time in clock ticks since boot (Linux `/proc/<pid>/stat`), to tell a reused pid. */
  processStart?: string;
}

/** A lock file younger than this whose content is not yet readable is being written, not stale. */
const CREATING_MS = 10_000;
/** Lock files this process holds (a pid equal to ours is stale unless listed here). */
const held = new Set<string>();

/** Thrown when another live process holds a run folder's lock. */
export class RunLockedError extends Error {
  override readonly name = 'RunLockedError';
  constructor(
    readonly dir: string,
    readonly owner: LockOwner | undefined,
  ) {
    super(
      owner
        ? `run folder '${dir}' is in use by ${owner.command} (process ${owner.pid} on host ${owner.host}, since ${owner.startedAt})${owner.host === hostname() ? '' : `; it cannot be checked from this host: if it no longer runs there, delete '${join(dir, LOCK_FILE)}'`}`
        : `run folder '${dir}' is being locked by another process just now`,
    );
  }
}

/** A held lock; {@link RunLock.release} removes its file. */
export interface RunLock {
  readonly path: string;
  release(): void;
}

/**
 * Takes the exclusive lock of run folder `dir` (which must exist) for `command`. A lock left by a
 * process that no longer runs on this host (or whose pid now belongs to another process) is
 * removed first and reported through `onStale`. Throws {@link RunLockedError} while a live
 * process holds it.
 */
export function acquireRunLock(
  dir: string,
  command: string,
  onStale: (owner: LockOwner | undefined) => void,
): RunLock {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    const owner: LockOwner = {
      pid: process.pid,
      host: hostname(),
      startedAt: new Date().toISOString(),
      command,
      ...processStartOf('self'),
    };
    if (createExclusive(path, `${JSON.stringify(owner)}\n`)) {
      held.add(path);
      return {
        path,
        release() {
          if (held.delete(path)) rmSync(path, { force: true });
        },
      };
    }
    const text = readLock(path);
    if (text === undefined) continue; // released meanwhile
    const found = parseOwner(text);
    if (found ? isAlive(found, path) : isYoung(path)) throw new RunLockedError(dir, found);
    if (!removeIfUnchanged(path, text)) throw new RunLockedError(dir, found);
    onStale(found);
  }
  throw new RunLockedError(dir, undefined);
}

/** Creates `path` with `text` unless it exists (`O_EXCL`); false if it did. */
function createExclusive(path: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw fileError(error, 'create the lock file', path);
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return true;
}

function readLock(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const o = JSON.parse(text) as LockOwner;
    return Number.isInteger(o.pid) && typeof o.host === 'string' ? o : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the lock's process still runs: always true for another host (it cannot be checked). */
function isAlive(owner: LockOwner, path: string): boolean {
  if (owner.host !== hostname()) return true;
  if (owner.pid === process.pid) return held.has(path);
  if (!isProcessRunning(owner.pid)) return false;
  const now = processStartOf(owner.pid).processStart;
  return owner.processStart === undefined || now === undefined || now === owner.processStart;
}

/** Whether a process with this pid runs on this host (signal 0; EPERM: it runs as another user). */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isYoung(path: string): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs < CREATING_MS;
  } catch {
    return false;
  }
}

/**
 * Removes a stale lock file if it still holds `text`: it is renamed away first (atomic), so two
 * processes recovering the same stale lock cannot remove each other's new one; a lock that
 * changed meanwhile is put back. False if the lock is someone else's now.
 */
function removeIfUnchanged(path: string, text: string): boolean {
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return true; // gone meanwhile: take it in the next attempt
  }
  if (readLock(aside) === text) {
    rmSync(aside, { force: true });
    return true;
  }
  try {
    linkSync(aside, path);
  } catch {
    // another lock appeared meanwhile: it wins
  }
  rmSync(aside, { force: true });
  return false;
}

/** A process's start time from `/proc/<pid>/stat` (field 22), where Linux provides it. */
function processStartOf(pid: number | 'self'): { processStart?: string } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = fields[19];
    return start ? { processStart: start } : {};
  } catch {
    return {};
  }
}
