import type { EpochRecord, MetricsRecord, StepRecord } from './metrics';

/** A line of a chart: points `[x, y]`, a label and a colour. */
export interface ChartSeries {
  label: string;
  color: string;
  points: ReadonlyArray<readonly [number, number]>;
}

/** Options of {@link lineChartSvg}. */
export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** Fixed y range (default: the data's, padded). */
  yRange?: readonly [number, number];
}

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const fmt = (v: number) => {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000 || a < 0.01) return v.toExponential(1);
  return Number(v.toPrecision(3)).toString();
};

/** About five round tick values covering `[lo, hi]`. */
function ticks(lo: number, hi: number): number[] {
  const span = hi - lo || 1;
  const raw = span / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    out.push(Number(t.toPrecision(12)));
  }
  return out;
}

/**
 * A line chart as a standalone SVG string (hand-written, no plotting dependency): axes with
 * ticks, one polyline per series (with dots when it has few points), a legend.
 */
export function lineChartSvg(series: readonly ChartSeries[], options: LineChartOptions): string {
  const W = options.width ?? 640;
  const H = options.height ?? 360;
  const m = { left: 64, right: 16, top: 36, bottom: 48 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const all = series
    .flatMap((s) => s.points)
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  let [x0, x1] = all.length
    ? [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))]
    : [0, 1];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  let [y0, y1] =
    options.yRange ??
    (all.length ? [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))] : [0, 1]);
  if (y0 === y1) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  if (!options.yRange) {
    const pad = (y1 - y0) * 0.05;
    [y0, y1] = [y0 - pad, y1 + pad];
  }
  const sx = (x: number) => m.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => m.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>${esc(options.title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="600">${esc(options.title)}</text>`,
  ];
  for (const t of ticks(y0, y1)) {
    const y = sy(t).toFixed(1);
    parts.push(
      `<line x1="${m.left}" x2="${m.left + pw}" y1="${y}" y2="${y}" stroke="#eee"/>`,
      `<text x="${m.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#555">${fmt(t)}</text>`,
    );
  }
  for (const t of ticks(x0, x1)) {
    const x = sx(t).toFixed(1);
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${m.top + ph}" y2="${m.top + ph + 4}" stroke="#555"/>`,
      `<text x="${x}" y="${m.top + ph + 16}" text-anchor="middle" fill="#555">${fmt(t)}</text>`,
    );
  }
  parts.push(
    `<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#555"/>`,
    `<text x="${m.left + pw / 2}" y="${H - 8}" text-anchor="middle">${esc(options.xLabel)}</text>`,
    `<text transform="translate(14 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(options.yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (pts.length > 0) {
      parts.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="1.8" points="${pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/>`,
      );
      if (pts.length <= 60) {
        for (const [x, y] of pts) {
          parts.push(
            `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${s.color}"/>`,
          );
        }
      }
    }
    const ly = m.top + 14 + i * 16;
    parts.push(
      `<line x1="${m.left + pw - 150}" x2="${m.left + pw - 130}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"/>`,
      `<text x="${m.left + pw - 124}" y="${ly}" dominant-baseline="middle">${esc(s.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/**
 * The training curves of a run as one SVG: loss (step losses, mean train loss and test loss per
 * epoch) above accuracy (train and test per epoch), x = epoch (steps mapped to fractional epochs).
 */
export function trainingCurvesSvg(
  records: readonly MetricsRecord[],
  stepsPerEpoch: number,
): string {
  const steps = records.filter((r): r is StepRecord => r.type === 'step');
  const epochs = records.filter((r): r is EpochRecord => r.type === 'epoch');
  const perEpoch = Math.max(1, stepsPerEpoch);
  const lossChart = lineChartSvg(
    [
      {
        label: 'batch loss',
        color: '#9ecae1',
        points: steps.map((r) => [r.step / perEpoch, r.loss]),
      },
      {
        label: 'train loss (epoch)',
        color: '#1f77b4',
        points: epochs.map((r) => [r.step / perEpoch, r.trainLoss]),
      },
      {
        label: 'test loss',
        color: '#d62728',
        points: epochs
          .filter((r) => r.testLoss !== null)
          .map((r) => [r.step / perEpoch, r.testLoss as number]),
      },
    ],
    { title: 'Loss', xLabel: 'epoch', yLabel: 'cross-entropy', height: 320 },
  );
  const accChart = lineChartSvg(
    [
      {
        label: 'train accuracy',
        color: '#1f77b4',
        points: epochs.map((r) => [r.step / perEpoch, r.trainAccuracy * 100]),
      },
      {
        label: 'test accuracy',
        color: '#d62728',
        points: epochs
          .filter((r) => r.testAccuracy !== null)
          .map((r) => [r.step / perEpoch, (r.testAccuracy as number) * 100]),
      },
    ],
    { title: 'Top-1 accuracy', xLabel: 'epoch', yLabel: '%', height: 320 },
  );
  return stackSvgs([lossChart, accChart], 640, 320);
}

function stackSvgs(svgs: readonly string[], width: number, height: number): string {
  const inner = svgs.map((s, i) => s.replace('<svg ', `<svg y="${i * height}" `)).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height * svgs.length}" viewBox="0 0 ${width} ${height * svgs.length}">\n${inner}</svg>\n`;
}

/**
 * A one-card summary of a run as SVG: the headline test accuracy, best epoch, and key/value rows
 * (model, dataset, time…).
 */
export function summarySvg(
  title: string,
  headline: string,
  rows: ReadonlyArray<readonly [string, string]>,
): string {
  const W = 560;
  const H = 96 + rows.length * 22 + 16;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="13">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${W}" height="${H}" rx="8" fill="#fafafa" stroke="#ccc"/>`,
    `<text x="20" y="30" font-size="15" font-weight="600">${esc(title)}</text>`,
    `<text x="20" y="70" font-size="30" font-weight="700" fill="#d62728">${esc(headline)}</text>`,
  ];
  rows.forEach(([k, v], i) => {
    const y = 100 + i * 22;
    parts.push(
      `<text x="20" y="${y}" fill="#555">${esc(k)}</text>`,
      `<text x="180" y="${y}">${esc(v)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
