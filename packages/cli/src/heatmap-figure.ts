/**
 * @file A grid of value maps with one shared colour scale, as `gcnn visualize` draws kernels and
 * activations: rows (channels, or an input and its rotation) × columns (group elements), an
 * optional grayscale input before each row, labelled axes, a title and a colour bar.
 */
import { textWidth } from './bitmap-font';
import { type Figure, type FigureItem, FRAME, lineHeight, MUTED, type Rgb } from './figure';

/** Blue (−scale) → white (0) → red (+scale), clipped outside ±scale. */
export function diverging(value: number, scale: number): Rgb {
  const v = Math.max(-1, Math.min(1, value / Math.max(scale, 1e-30)));
  const fade = Math.round(255 * (1 - Math.abs(v)));
  return v >= 0 ? [255, fade, fade] : [fade, fade, 255];
}

/** One row of the grid. */
export interface HeatmapRow {
  label: string;
  /** The maps of the row's columns, each `[h·w]` row-major. */
  maps: ArrayLike<number>[];
  /** A grayscale image `[leadH·leadW]` before the maps (min → black, max → white). */
  lead?: ArrayLike<number>;
}

/** What {@link heatmapFigure} draws. */
export interface HeatmapSpec {
  title: string;
  /** Lines under the title (what the picture shows, what to look for). */
  notes?: string[];
  rows: HeatmapRow[];
  /** Height and width of every map. */
  mapSize: readonly [number, number];
  /** Height and width of the rows' lead images, and their column's label. */
  lead?: { size: readonly [number, number]; label: string };
  columnLabels: string[];
  /** What the columns are (`group element h: rotation θ`) and what the rows are. */
  columnAxis: string;
  rowAxis: string;
  /** Pixels per map value, and per lead pixel (default `cell`). */
  cell: number;
  leadCell?: number;
  colorbarLabel: string;
}

const MARGIN = 16;
const GAP = 6;
const LABEL = 1;
const TITLE = 2;

/** The largest |value| over every map of the spec: the one colour scale of the figure. */
export function sharedScale(rows: readonly HeatmapRow[]): number {
  let max = 0;
  for (const row of rows)
    for (const map of row.maps)
      for (let i = 0; i < map.length; i++) max = Math.max(max, Math.abs(map[i] as number));
  return max;
}

/** An image item of a map coloured by `color`. */
function mapImage(
  x: number,
  y: number,
  [h, w]: readonly [number, number],
  cell: number,
  values: ArrayLike<number>,
  color: (v: number) => Rgb,
): FigureItem {
  const rgb = new Uint8Array(h * w * 3);
  for (let i = 0; i < h * w; i++) rgb.set(color(values[i] as number), i * 3);
  return { kind: 'image', x, y, cols: w, rows: h, cell, rgb };
}

/** A grayscale colouring of `values` from their minimum (black) to maximum (white). */
function grayOf(values: ArrayLike<number>): (v: number) => Rgb {
  let [lo, hi] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i] as number);
    hi = Math.max(hi, values[i] as number);
  }
  return (v) => {
    const g = Math.round((255 * (v - lo)) / Math.max(hi - lo, 1e-30));
    return [g, g, g];
  };
}

/** A value for a colour-bar tick: 3 significant digits. */
const tick = (v: number) => (v === 0 ? '0' : v.toPrecision(3).replace('-', '−'));

/** The colour bar at (x, y), `height` tall: +scale at the top, −scale at the bottom. */
function colorbar(x: number, y: number, height: number, scale: number, label: string) {
  const steps = Math.max(2, Math.floor(height / 2));
  const values = Array.from({ length: steps }, (_, i) => scale * (1 - (2 * i) / (steps - 1)));
  const items: FigureItem[] = [
    mapImage(x, y, [steps, 1], 2, values, (v) => diverging(v, scale)),
    { kind: 'rect', x, y, w: 12, h: steps * 2, stroke: FRAME },
  ];
  const bottom = y + steps * 2;
  for (const [v, ty] of [
    [scale, y],
    [0, (y + bottom) / 2],
    [-scale, bottom],
  ] as const) {
    items.push(
      { kind: 'line', x1: x + 12, y1: ty, x2: x + 15, y2: ty, stroke: MUTED },
      { kind: 'text', x: x + 18, y: ty - 3, text: tick(v), scale: LABEL },
    );
  }
  const tickWidth = Math.max(...[scale, -scale].map((v) => textWidth(tick(v), LABEL)));
  items.push({
    kind: 'text',
    x: x + 24 + tickWidth,
    y: (y + bottom) / 2,
    text: label,
    scale: LABEL,
    anchor: 'middle',
    vertical: true,
    color: MUTED,
  });
  return { items, width: 24 + tickWidth + lineHeight(LABEL) };
}

/** The title and the notes under it, from `y` down; returns where they end. */
function header(title: string, notes: readonly string[], items: FigureItem[]): number {
  let y = MARGIN;
  items.push({ kind: 'text', x: MARGIN, y, text: title, scale: TITLE });
  y += lineHeight(TITLE);
  for (const note of notes) {
    items.push({ kind: 'text', x: MARGIN, y, text: note, scale: LABEL, color: MUTED });
    y += lineHeight(LABEL);
  }
  return y + GAP;
}

/** Where the grid's parts go: the lead column, the map columns and the rows. */
interface GridLayout {
  /** Left edge of the lead images (the row labels end just before it). */
  x0: number;
  mapsX: number;
  colW: number;
  rowH: number;
  /** Top of the first row (the column labels are above it) and bottom of the last. */
  top: number;
  bottom: number;
  right: number;
}

function gridLayout(spec: HeatmapSpec, y: number): GridLayout {
  const [mh, mw] = spec.mapSize;
  const leadCell = spec.leadCell ?? spec.cell;
  const [leadH, leadW] = spec.lead
    ? [spec.lead.size[0] * leadCell, spec.lead.size[1] * leadCell]
    : [0, 0];
  const rowLabelWidth = Math.max(...spec.rows.map((r) => textWidth(r.label, LABEL)));
  const colW = Math.max(mw * spec.cell, ...spec.columnLabels.map((l) => textWidth(l, LABEL))) + GAP;
  const rowH = Math.max(mh * spec.cell, leadH) + GAP;
  const x0 = MARGIN + lineHeight(LABEL) + GAP + rowLabelWidth + GAP;
  const mapsX = x0 + (spec.lead ? Math.max(leadW, textWidth(spec.lead.label, LABEL)) + 3 * GAP : 0);
  const top = y + lineHeight(LABEL);
  const bottom = top + spec.rows.length * rowH;
  return {
    x0,
    mapsX,
    colW,
    rowH,
    top,
    bottom,
    right: mapsX + spec.columnLabels.length * colW - GAP,
  };
}

/** The column labels, and per row its label, lead image and maps (coloured on `scale`). */
function gridItems(spec: HeatmapSpec, g: GridLayout, scale: number): FigureItem[] {
  const [mh, mw] = spec.mapSize;
  const { cell, lead } = spec;
  const leadCell = spec.leadCell ?? cell;
  const labelY = g.top - lineHeight(LABEL);
  const items: FigureItem[] = [];
  if (lead) {
    const x = g.x0 + (lead.size[1] * leadCell) / 2;
    items.push({ kind: 'text', x, y: labelY, text: lead.label, scale: LABEL, anchor: 'middle' });
  }
  spec.columnLabels.forEach((text, c) => {
    const x = g.mapsX + c * g.colW + (mw * cell) / 2;
    items.push({ kind: 'text', x, y: labelY, text, scale: LABEL, anchor: 'middle' });
  });
  spec.rows.forEach((row, r) => {
    const top = g.top + r * g.rowH;
    const middle = top + (g.rowH - GAP) / 2 - lineHeight(LABEL) / 2 + 2;
    items.push({
      kind: 'text',
      x: g.x0 - GAP,
      y: middle,
      text: row.label,
      scale: LABEL,
      anchor: 'end',
    });
    if (lead && row.lead) {
      const [w, h] = [lead.size[1] * leadCell, lead.size[0] * leadCell];
      items.push(mapImage(g.x0, top, lead.size, leadCell, row.lead, grayOf(row.lead)));
      items.push({ kind: 'rect', x: g.x0, y: top, w, h, stroke: FRAME });
    }
    row.maps.forEach((map, c) => {
      const x = g.mapsX + c * g.colW;
      items.push(mapImage(x, top, spec.mapSize, cell, map, (v) => diverging(v, scale)));
      items.push({ kind: 'rect', x, y: top, w: mw * cell, h: mh * cell, stroke: FRAME });
    });
  });
  return items;
}

/**
 * Lays out a {@link HeatmapSpec}: title and notes, then the grid (row labels, lead images, maps
 * under their column labels), the axis names, and a colour bar for the one scale of every map
 * (`sharedScale`). Returns the figure and that scale.
 */
export function heatmapFigure(spec: HeatmapSpec): { figure: Figure; scale: number } {
  const scale = sharedScale(spec.rows);
  const items: FigureItem[] = [];
  const g = gridLayout(spec, header(spec.title, spec.notes ?? [], items));
  items.push(...gridItems(spec, g, scale));
  const axis = { scale: LABEL, anchor: 'middle', color: MUTED } as const;
  items.push(
    { kind: 'text', x: (g.mapsX + g.right) / 2, y: g.bottom + 2, text: spec.columnAxis, ...axis },
    {
      kind: 'text',
      x: MARGIN,
      y: (g.top + g.bottom) / 2,
      text: spec.rowAxis,
      vertical: true,
      ...axis,
    },
  );
  const barHeight = Math.max(60, Math.min(g.bottom - g.top - GAP, 240));
  const bar = colorbar(g.right + 3 * GAP, g.top, barHeight, scale, spec.colorbarLabel);
  items.push(...bar.items);
  const width = Math.max(
    g.right + 3 * GAP + bar.width + MARGIN,
    MARGIN + textWidth(spec.title, TITLE) + MARGIN,
    ...(spec.notes ?? []).map((n) => 2 * MARGIN + textWidth(n, LABEL)),
  );
  const height = Math.max(g.bottom + lineHeight(LABEL), g.top + barHeight + 6) + MARGIN;
  return { figure: { width: Math.ceil(width), height: Math.ceil(height), items }, scale };
}
