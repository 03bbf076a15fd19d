/**
 * `tsx src/runs-figure.ts <out.svg> <title> <series>=<run folder>[,<run folder>…] …`: final test
 * accuracy against training time of finished `gcnn train` runs, one line per series (e.g. one
 * seed of one model at several budgets), as a standalone SVG. Read from each folder's
 * `metrics.jsonl`: the last epoch record's test accuracy, and its elapsed seconds less the time
 * spent evaluating (training time only).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lineChartSvg } from '@gcnn/training';

const COLORS = ['#1f77b4', '#6baed6', '#d62728', '#ff9896', '#2ca02c', '#98df8a'];

interface EpochLine {
  type: string;
  testAccuracy: number | null;
  /** `evalSeconds` only on epochs that were evaluated. */
  time: { elapsedSeconds: number; evalSeconds?: number };
}

/** `[training minutes, test accuracy %]` of the run in `folder`. */
function finalPoint(folder: string): [number, number] {
  const lines = readFileSync(join(folder, 'metrics.jsonl'), 'utf8').trim().split('\n');
  const epochs = lines.map((l) => JSON.parse(l) as EpochLine).filter((r) => r.type === 'epoch');
  const last = epochs[epochs.length - 1];
  if (!last || last.testAccuracy == null) {
    throw new Error(`runs-figure: ${folder}/metrics.jsonl has no evaluated epoch`);
  }
  const evalSeconds = epochs.reduce((s, r) => s + (r.time.evalSeconds ?? 0), 0);
  return [(last.time.elapsedSeconds - evalSeconds) / 60, 100 * last.testAccuracy];
}

const [out, title, ...specs] = process.argv.slice(2);
if (!out || !title || specs.length === 0) {
  throw new Error('usage: runs-figure <out.svg> <title> <series>=<folder>[,<folder>…] …');
}
const series = specs.map((spec, i) => {
  const cut = spec.lastIndexOf('=');
  const [label, folders] = [spec.slice(0, cut), spec.slice(cut + 1)];
  if (cut <= 0 || !folders)
    throw new Error(`runs-figure: '${spec}' is not <series>=<folder>[,<folder>…]`);
  const points = folders.split(',').map(finalPoint);
  return { label, color: COLORS[i % COLORS.length] as string, points };
});
const ys = series.flatMap((s) => s.points.map(([, y]) => y));
writeFileSync(
  out,
  lineChartSvg(series, {
    title,
    // headroom above the best run for the legend, which sits top right
    yRange: [Math.floor(Math.min(...ys)) - 1, Math.ceil(Math.max(...ys)) + 3],
    xLabel: 'training time (min)',
    yLabel: 'test accuracy (%)',
  }),
);
for (const s of series) console.log(s.label, JSON.stringify(s.points));
