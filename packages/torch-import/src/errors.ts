/** Where in a checkpoint a problem lies: the file, the archive entry, the byte offset in it. */
export interface CheckpointLocation {
  /** The checkpoint's name as the caller gave it (a path, or `checkpoint.pt`). */
  source: string;
  /** The zip entry, e.g. `model/data.pkl`. */
  entry?: string;
  /** Byte offset in the entry (or in the file when there is no entry). */
  offset?: number;
}

/**
 * The one error of `@gcnn/torch-import`: a checkpoint that is malformed, truncated, too large,
 * hostile (a global outside the allow-list) or not a reference model. The message names the
 * operation, the file, the entry and offset where known, and what was expected; the fields repeat
 * the location for programs. Any other error type escaping the reader is a bug.
 */
export class TorchCheckpointError extends Error {
  override readonly name = 'TorchCheckpointError';
  readonly source: string;
  readonly entry: string | undefined;
  readonly offset: number | undefined;

  constructor(op: string, where: CheckpointLocation, what: string) {
    const entry = where.entry === undefined ? '' : ` entry '${where.entry}'`;
    const offset = where.offset === undefined ? '' : ` at offset ${where.offset}`;
    super(`Error in ${op}: '${where.source}'${entry}${offset}: ${what}`);
    this.source = where.source;
    this.entry = where.entry;
    this.offset = where.offset;
  }
}
