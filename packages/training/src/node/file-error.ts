/** What the file-system error codes a run meets mean, in the words of an error message. */
const REASONS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  ENOENT: 'no such file or folder',
  EEXIST: 'it already exists',
  EMFILE: 'too many open files',
};

/**
 * An error of a file operation as one line naming the file and the cause, e.g. `cannot write
 * 'runs/a/checkpoints/last.json': no space left on the device (ENOSPC)` (Node's own messages
 * name no file for `write`, or the temp file instead of the target). The original is the cause.
 */
export function fileError(error: unknown, action: string, path: string): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    code !== undefined && REASONS[code] !== undefined
      ? `${REASONS[code]} (${code})`
      : (error as Error).message;
  return new Error(`cannot ${action} '${path}': ${reason}`, { cause: error });
}

/** Runs `fn`; an error it throws becomes {@link fileError}'s. */
export function withFileError<T>(action: string, path: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw fileError(error, action, path);
  }
}
