import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EncodedCheckpoint, TrainProgress } from '../checkpoint';
import { type MetricsRecord, recordPrecedes } from '../metrics';
import { trainingCurvesSvg } from '../svg-charts';
import type { TrainSink } from '../train';
import { atomicWriteFile } from './atomic-write-file';
import { CHECKPOINT_DIR, saveCheckpoint } from './checkpoint-files';

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
 * A run's folder on disk and a {@link TrainSink} writing into it:
 * `config.json`, `metrics.jsonl` (one JSON record per line, appended), `checkpoints/{last,best}.json`
 * with their weights files, `curves.svg` (rewritten after every epoch), `summary.svg`/`summary.json`.
 */
export class RunDirectory implements TrainSink {
  readonly dir: string;
  private stepsPerEpoch = 1;

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(join(dir, CHECKPOINT_DIR), { recursive: true });
  }

  /** Path of a file in the run folder. */
  path(name: string): string {
    return join(this.dir, name);
  }

  /** Steps per epoch, for the x axis of the curves. */
  setStepsPerEpoch(n: number): void {
    this.stepsPerEpoch = n;
  }

  /** Writes `config.json` (atomically). */
  writeConfig(config: unknown): void {
    atomicWriteFile(this.path(RUN_FILES.config), `${JSON.stringify(config, null, 2)}\n`);
  }

  /** Writes a JSON or text file of the run (atomically). */
  writeFile(name: string, data: string | Uint8Array): void {
    atomicWriteFile(this.path(name), data);
  }

  async checkpoint(checkpoint: EncodedCheckpoint): Promise<void> {
    saveCheckpoint(join(this.dir, CHECKPOINT_DIR), checkpoint);
  }

  async metrics(record: MetricsRecord): Promise<void> {
    appendFileSync(this.path(RUN_FILES.metrics), `${JSON.stringify(record)}\n`);
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
    atomicWriteFile(
      this.path(RUN_FILES.metrics),
      kept.map((r) => `${JSON.stringify(r)}\n`).join(''),
    );
  }

  /** Rewrites `curves.svg` from `metrics.jsonl`. */
  writeCurves(): void {
    writeFileSync(
      this.path(RUN_FILES.curves),
      trainingCurvesSvg(this.readMetrics(), this.stepsPerEpoch),
    );
  }
}
