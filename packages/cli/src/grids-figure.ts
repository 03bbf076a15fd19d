/**
 * @file The lifting coordinate grids of `gcnn visualize` (reference notebook `visualizing_kernels`):
 * one panel per group element h with the points h⁻¹x of the k×k kernel grid, on shared axes.
 */
import { textWidth } from './bitmap-font';
import { type Figure, type FigureItem, FRAME, lineHeight, MUTED, type Rgb } from './figure';

const MARGIN = 16;
const PANEL = 150;
const GAP = 14;
const FIRST: Rgb = [214, 39, 40];
const POINT: Rgb = [31, 119, 180];

/** What {@link gridsFigure} draws: a point set `[n][x, y]` and a title per panel. */
export interface GridsSpec {
  title: string;
  notes: string[];
  sets: number[][][];
  panelTitles: string[];
}

/** Panels of the point sets in one row, on one axis range; the first point of each set is ×. */
export function gridsFigure(spec: GridsSpec): Figure {
  const lim = Math.max(1, ...spec.sets.flat().flat().map(Math.abs)) * 1.1;
  const items: FigureItem[] = [{ kind: 'text', x: MARGIN, y: MARGIN, text: spec.title, scale: 2 }];
  let y = MARGIN + lineHeight(2);
  for (const note of spec.notes) {
    items.push({ kind: 'text', x: MARGIN, y, text: note, scale: 1, color: MUTED });
    y += lineHeight(1);
  }
  const top = y + GAP + lineHeight(1);
  const left = MARGIN + textWidth('y', 1) + 8 + textWidth(lim.toFixed(1), 1) + 6;
  spec.sets.forEach((points, i) => {
    const x0 = left + i * (PANEL + GAP);
    const sx = (x: number) => x0 + PANEL / 2 + (x / lim) * (PANEL / 2);
    const sy = (v: number) => top + PANEL / 2 - (v / lim) * (PANEL / 2);
    items.push(
      { kind: 'rect', x: x0, y: top, w: PANEL, h: PANEL, stroke: FRAME },
      { kind: 'line', x1: sx(0), y1: top, x2: sx(0), y2: top + PANEL, stroke: [235, 235, 235] },
      { kind: 'line', x1: x0, y1: sy(0), x2: x0 + PANEL, y2: sy(0), stroke: [235, 235, 235] },
      {
        kind: 'text',
        x: x0 + PANEL / 2,
        y: top - lineHeight(1),
        text: spec.panelTitles[i] ?? '',
        scale: 1,
        anchor: 'middle',
      },
    );
    points.slice(1).forEach(([px, py]) => {
      items.push({ kind: 'circle', cx: sx(px as number), cy: sy(py as number), r: 2, fill: POINT });
    });
    const [fx, fy] = points[0] ?? [0, 0];
    const [cx, cy] = [sx(fx as number), sy(fy as number)];
    items.push(
      { kind: 'line', x1: cx - 4, y1: cy - 4, x2: cx + 4, y2: cy + 4, stroke: FIRST },
      { kind: 'line', x1: cx - 4, y1: cy + 4, x2: cx + 4, y2: cy - 4, stroke: FIRST },
    );
  });
  // Axis ticks of the first panel (every panel has the same range).
  for (const v of [lim, 0, -lim]) {
    const ty = top + PANEL / 2 - (v / lim) * (PANEL / 2);
    items.push({
      kind: 'text',
      x: left - 4,
      y: ty - 3,
      text: v.toFixed(1),
      scale: 1,
      anchor: 'end',
    });
  }
  const right = left + spec.sets.length * (PANEL + GAP) - GAP;
  items.push(
    {
      kind: 'text',
      x: (left + right) / 2,
      y: top + PANEL + 6,
      text: 'x (kernel grid coordinate)',
      scale: 1,
      anchor: 'middle',
      color: MUTED,
    },
    { kind: 'text', x: MARGIN, y: top + PANEL / 2 - 4, text: 'y', scale: 1, color: MUTED },
  );
  const width = Math.max(
    right + MARGIN,
    MARGIN * 2 + textWidth(spec.title, 2),
    ...spec.notes.map((n) => MARGIN * 2 + textWidth(n, 1)),
  );
  return { width, height: top + PANEL + 6 + lineHeight(1) + MARGIN, items };
}
