/** Where progress goes: a writable stream (stderr), and whether it is a terminal. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Formats seconds as `1h02m`, `3m05s` or `42s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s >= 3600)
    return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/**
 * A progress bar with throughput and ETA. On a terminal it redraws one line (`\r`, at most 10
 * times a second); otherwise it writes a plain line every `plainIntervalSeconds` (default 15) and
 * at the end, so logs stay readable.
 */
export class ProgressBar {
  private readonly start = performance.now();
  private lastDraw = 0;
  private lastPlain = 0;
  private done = 0;
  private finished = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly label: string,
    private readonly total: number,
    private readonly unit = 'it',
    private readonly plainIntervalSeconds = 15,
  ) {}

  /** Sets the count done and an optional suffix (e.g. `loss 0.1234`). */
  update(done: number, suffix = ''): void {
    this.done = done;
    const now = performance.now();
    if (this.stream.isTTY) {
      if (now - this.lastDraw < 100 && done < this.total) return;
      this.lastDraw = now;
      this.stream.write(`\r${this.line(suffix)}\x1b[K`);
    } else if (
      (now - this.lastPlain) / 1000 >= this.plainIntervalSeconds ||
      (done >= this.total && !this.finished)
    ) {
      this.lastPlain = now;
      this.stream.write(`${this.line(suffix)}\n`);
      if (done >= this.total) this.finished = true;
    }
  }

  /** Draws the final state and ends the line. */
  finish(suffix = ''): void {
    if (this.finished) return;
    if (this.stream.isTTY) this.stream.write(`\r${this.line(suffix)}\x1b[K\n`);
    else this.stream.write(`${this.line(suffix)}\n`);
    this.finished = true;
  }

  private line(suffix: string): string {
    const elapsed = (performance.now() - this.start) / 1000;
    const rate = elapsed > 0 ? this.done / elapsed : 0;
    const eta = rate > 0 ? (this.total - this.done) / rate : Number.NaN;
    const frac = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = this.stream.isTTY ? `[${'█'.repeat(filled)}${'·'.repeat(width - filled)}] ` : '';
    const rateText = rate >= 100 ? rate.toFixed(0) : rate.toFixed(1);
    return `${this.label} ${bar}${this.done}/${this.total} ${(frac * 100).toFixed(0)}% ${rateText} ${this.unit}/s elapsed ${formatDuration(elapsed)} eta ${formatDuration(eta)}${suffix ? ` ${suffix}` : ''}`;
  }
}
