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

/** Width of the bar itself (`[████····]`) when the terminal has room for it. */
const BAR_WIDTH = 24;
/** Narrowest bar worth drawing; below this the bar is left out. */
const MIN_BAR_WIDTH = 8;
/** Seconds of measured progress before a rate and an ETA are shown (the first ones are noise). */
const MIN_RATE_SECONDS = 1;

/** Length of `text` in terminal columns (every character the bar uses is one column wide). */
const columnsOf = (text: string) => Array.from(text).length;

/** `text` cut to `width` columns, ending in `…` when cut. */
function clip(text: string, width: number): string {
  const chars = Array.from(text);
  if (chars.length <= width) return text;
  return width <= 0 ? '' : `${chars.slice(0, width - 1).join('')}…`;
}

/**
 * A progress bar with throughput and ETA. On a terminal it redraws one line (`\r`, at most 10
 * times a second) that fits the terminal's width (`columns`, else 80): the bar shrinks or goes,
 * then the elapsed time, then the suffix is cut, so a redraw never wraps. Otherwise it writes a
 * plain line every `plainIntervalSeconds` (default 15) and at the end, so logs stay readable.
 * The rate is measured from the first update on (the work before the bar existed is not timed)
 * and shown, with the ETA, once a second of progress has been measured; `…` before that.
 */
export class ProgressBar {
  private lastDraw = Number.NEGATIVE_INFINITY;
  private lastPlain = performance.now();
  private done = 0;
  private finished = false;
  /** When the first update came and its count: the origin of the rate. */
  private origin: { time: number; done: number } | undefined;

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
    this.origin ??= { time: now, done };
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

  /** Items per second since the first update, once {@link MIN_RATE_SECONDS} have passed. */
  private rate(now: number): number | undefined {
    if (!this.origin) return undefined;
    const seconds = (now - this.origin.time) / 1000;
    const items = this.done - this.origin.done;
    return seconds >= MIN_RATE_SECONDS && items > 0 ? items / seconds : undefined;
  }

  /** The line: on a terminal fitted to its width, in plain mode whole (and without the bar). */
  private line(suffix: string): string {
    const now = performance.now();
    const elapsed = this.origin ? (now - this.origin.time) / 1000 : 0;
    const rate = this.rate(now);
    const frac = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const rateText = rate === undefined ? '…' : rate >= 100 ? rate.toFixed(0) : rate.toFixed(1);
    const eta = rate === undefined ? '…' : formatDuration((this.total - this.done) / rate);
    const counts = `${this.done}/${this.total} ${(frac * 100).toFixed(0)}%`;
    let head = `${this.label} `;
    const parts = {
      rate: ` ${rateText} ${this.unit}/s`,
      elapsed: ` elapsed ${formatDuration(elapsed)}`,
      eta: ` eta ${eta}`,
      suffix: suffix ? ` ${suffix}` : '',
    };
    if (!this.stream.isTTY)
      return `${head}${counts}${parts.rate}${parts.elapsed}${parts.eta}${parts.suffix}`;
    const width = Math.max(1, (this.stream.columns ?? 80) - 1);
    // A label too long for the counts and the ETA is cut first.
    const labelRoom = width - columnsOf(counts + parts.eta) - 1;
    if (columnsOf(this.label) > labelRoom) head = `${clip(this.label, Math.max(1, labelRoom))} `;
    // Too wide: the elapsed time goes first, then the rate, then the suffix is cut; a bar of at
    // least MIN_BAR_WIDTH is kept while there is room for it and grows into what is left.
    let room = width - columnsOf(head + counts + parts.eta);
    const barReserve = room >= MIN_BAR_WIDTH + 3 ? MIN_BAR_WIDTH + 3 : 0;
    room -= barReserve;
    const keep = (text: string) => {
      if (columnsOf(text) > room) return '';
      room -= columnsOf(text);
      return text;
    };
    let suffixShown = keep(parts.suffix);
    const rateShown = keep(parts.rate);
    const elapsedShown = keep(parts.elapsed);
    if (!suffixShown && parts.suffix && room >= 8) suffixShown = keep(clip(parts.suffix, room));
    const barWidth = barReserve > 0 ? Math.min(BAR_WIDTH, barReserve + room - 3) : 0;
    const filled = Math.round(frac * barWidth);
    const bar = barWidth > 0 ? `[${'█'.repeat(filled)}${'·'.repeat(barWidth - filled)}] ` : '';
    const line = `${head}${bar}${counts}${rateShown}${elapsedShown}${parts.eta}${suffixShown}`;
    return clip(line, width);
  }
}
