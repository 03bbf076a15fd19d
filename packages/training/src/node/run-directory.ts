import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import type { EncodedCheckpoint, TrainProgress } from '../checkpoint';
import { type MetricsRecord, recordPrecedes } from '../metrics';
import { trainingCurvesSvg } from '../svg-charts';
import type { TrainSink } from '../train';
import { atomicWriteFile, removeTempFiles } from './atomic-write-file';
import { CHECKPOINT_DIR, saveCheckpoint } from './checkpoint-files';
import { withFileError } from './file-error';
import { acquireRunLock, LOCK_FILE, type LockOwner, type RunLock } from './run-lock';

/** File names inside a run directory. */
export const RUN_FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  curves: 'curves.svg',
  summary: 'summary.svg',
  summaryJson: 'summary.json',
  checkpoints: CHECKPOINT_DIR,
} as const;

/**
 * How {@link openRunDirectory} treats a folder that already holds a run: `new` refuses it
 * ({@link RunExistsError}), `resume` continues it, `overwrite` moves it aside first.
 */
export type RunOpenMode = 'new' | 'resume' | 'overwrite';

/** Options of {@link openRunDirectory}. */
export interface OpenRunOptions {
  mode: RunOpenMode;
  /** A new run's `config.json`, written when training begins (`TrainSink.begin`). */
  config?: unknown;
  /** What holds the lock, as its file records it (default `gcnn train`). */
  command?: string;
  /** Hears what was done on the way: a stale lock recovered, temp files removed, a run moved aside. */
  onNotice?: (line: string) => void;
}

/** Thrown by {@link openRunDirectory} in mode `new` for a folder that already holds a run. */
export class RunExistsError extends Error {
  override readonly name = 'RunExistsError';
  constructor(
    readonly dir: string,
    /** The run files found (`config.json`, `metrics.jsonl`, `checkpoints/last.json`, …). */
    readonly files: readonly string[],
  ) {
    super(`'${dir}' already holds a run (${files.join(', ')})`);
  }
}

/**
 * Opens run folder `dir` for writing: checks that it is a folder (creating it), takes its
 * exclusive lock (see `acquireRunLock`; a stale one is recovered and reported), and applies
 * `mode` to a run already there. Nothing of an existing run is changed until training begins
 * (`begin`): a resume that fails leaves the folder as it was. Release with `close()`.
 */
export function openRunDirectory(dir: string, options: OpenRunOptions): RunDirectory {
  const notice = options.onNotice ?? (() => {});
  const command = options.command ?? 'gcnn train';
  const existed = existsSync(dir);
  if (existed && !statSync(dir).isDirectory())
    throw new Error(`'${dir}' is a file, expected a run folder`);
  withFileError('create the run folder', dir, () => mkdirSync(dir, { recursive: true }));
  let lock = acquireRunLock(dir, command, (o) => notice(staleLockLine(dir, o)));
  try {
    const files = runFilesIn(dir);
    if (files.length > 0 && options.mode === 'new') throw new RunExistsError(dir, files);
    if (files.length > 0 && options.mode === 'overwrite') {
      const aside = `${dir}.replaced-${timestamp()}`;
      withFileError('move the previous run aside to', aside, () => renameSync(dir, aside));
      // The lock file moved with the folder: drop it there.
      rmSync(join(aside, LOCK_FILE), { force: true });
      lock.release();
      withFileError('create the run folder', dir, () => mkdirSync(dir, { recursive: true }));
      lock = acquireRunLock(dir, command, () => {});
      notice(`--overwrite: moved the previous run (${files.join(', ')}) to ${aside}`);
    }
    return new RunDirectory(dir, lock, { ...options, created: !existed }, notice);
  } catch (error) {
    lock.release();
    throw error;
  }
}

/**
 * A run's folder on disk, held under its lock, and a {@link TrainSink} writing into it:
 * `config.json`, `metrics.jsonl` (one JSON record per line, appended), `checkpoints/{last,best}.json`
 * with their weights files, `curves.svg` (rewritten after every epoch), `summary.svg`/`summary.json`.
 * Every write error names its file. Made by {@link openRunDirectory}.
 */
export class RunDirectory implements TrainSink {
  readonly dir: string;
  private stepsPerEpoch = 1;

  /** @internal Use {@link openRunDirectory}. */
  constructor(
    dir: string,
    private readonly lock: RunLock,
    private readonly options: OpenRunOptions & { created: boolean },
    private readonly notice: (line: string) => void,
  ) {
    this.dir = dir;
  }

  /** Path of a file in the run folder. */
  path(name: string): string {
    return join(this.dir, name);
  }

  /** Steps per epoch, for the x axis of the curves. */
  setStepsPerEpoch(n: number): void {
    this.stepsPerEpoch = n;
  }

  /**
   * Training begins (the resumed state is applied): removes the temp files of writes a kill
   * interrupted, then cuts the metrics of a resumed run back to its checkpoint, or writes a new
   * run's `config.json`.
   */
  async begin(resumedAt: TrainProgress | undefined): Promise<void> {
    withFileError('create the folder', this.path(CHECKPOINT_DIR), () =>
      mkdirSync(this.path(CHECKPOINT_DIR), { recursive: true }),
    );
    const removed = [
      ...removeTempFiles(this.dir),
      ...removeTempFiles(this.path(CHECKPOINT_DIR)).map((n) => `${CHECKPOINT_DIR}/${n}`),
    ];
    if (removed.length > 0)
      this.notice(
        `removed ${removed.length} temp file(s) of an interrupted write: ${removed.join(', ')}`,
      );
    if (resumedAt) this.truncateMetrics(resumedAt);
    else if (this.options.config !== undefined)
      this.writeFile(RUN_FILES.config, `${JSON.stringify(this.options.config, null, 2)}\n`);
  }

  /** Writes a JSON or text file of the run (atomically). */
  writeFile(name: string, data: string | Uint8Array): void {
    atomicWriteFile(this.path(name), data);
  }

  async checkpoint(checkpoint: EncodedCheckpoint): Promise<void> {
    saveCheckpoint(this.path(CHECKPOINT_DIR), checkpoint);
  }

  async metrics(record: MetricsRecord): Promise<void> {
    const file = this.path(RUN_FILES.metrics);
    withFileError('append to', file, () => appendFileSync(file, `${JSON.stringify(record)}\n`));
    if (record.type === 'epoch') this.writeCurves();
  }

  /** Every complete record of `metrics.jsonl` (a torn last line from a kill is ignored). */
  readMetrics(): MetricsRecord[] {
    const file = this.path(RUN_FILES.metrics);
    if (!existsSync(file)) return [];
    const out: MetricsRecord[] = [];
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as MetricsRecord);
      } catch {
        // torn line
      }
    }
    return out;
  }

  /**
   * Before resuming from a checkpoint at `progress`: keeps only the records written before it
   * (see `recordPrecedes`), so the resumed run's records follow without duplicates.
   */
  truncateMetrics(progress: TrainProgress): void {
    const kept = this.readMetrics().filter((r) => recordPrecedes(r, progress));
    this.writeFile(RUN_FILES.metrics, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  /** Rewrites `curves.svg` from `metrics.jsonl`. */
  writeCurves(): void {
    this.writeFile(RUN_FILES.curves, trainingCurvesSvg(this.readMetrics(), this.stepsPerEpoch));
  }

  /** Releases the run folder's lock; a folder it created and nothing was written to is removed. */
  close(): void {
    this.lock.release();
    if (!this.options.created) return;
    for (const d of [this.path(CHECKPOINT_DIR), this.dir]) {
      try {
        rmdirSync(d); // only if empty
      } catch {
        // not empty (or gone): keep it
      }
    }
  }
}

/** The run files in `dir`: what makes it hold a run (records, a summary or checkpoints). */
function runFilesIn(dir: string): string[] {
  // config.json alone (a start that failed before its first record) is no run to keep.
  const found: string[] = [RUN_FILES.metrics, RUN_FILES.summaryJson].filter((f) =>
    existsSync(join(dir, f)),
  );
  const checkpoints = join(dir, CHECKPOINT_DIR);
  if (existsSync(checkpoints)) {
    const inside = readdirSync(checkpoints).filter((f) => !f.startsWith('.'));
    const manifests = inside.filter((f) => f.endsWith('.json'));
    if (manifests.length > 0) found.push(...manifests.map((f) => `${CHECKPOINT_DIR}/${f}`));
    else if (inside.length > 0) found.push(`${CHECKPOINT_DIR}/`);
  }
  return found;
}

function staleLockLine(dir: string, owner: LockOwner | undefined): string {
  const who = owner
    ? `process ${owner.pid} (${owner.command}, since ${owner.startedAt}) no longer runs`
    : 'its lock file was unreadable';
  return `recovered the stale lock of run folder '${dir}': ${who}`;
}

/** `20261205-135700`: the UTC date and time for a file name. */
function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
}
