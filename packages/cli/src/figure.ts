/**
 * @file The figures of `gcnn visualize` as a list of shapes in pixel coordinates, drawn the same
 * way as an SVG (vector, real text) and as a PNG (the 5×7 font of bitmap-font.ts): text metrics are
 * the font's in both, so the layouts agree.
 */
import { ADVANCE, DESCENT, GLYPH_HEIGHT, plotText, textWidth } from './bitmap-font';
import { encodePng } from './png';

/** An sRGB colour. */
export type Rgb = readonly [number, number, number];

export const INK: Rgb = [34, 34, 34];
export const MUTED: Rgb = [110, 110, 110];
export const FRAME: Rgb = [200, 200, 200];

/** One shape of a figure. Text `(x, y)` is the top-left corner of its box (see `anchor`). */
export type FigureItem =
  | { kind: 'rect'; x: number; y: number; w: number; h: number; fill?: Rgb; stroke?: Rgb }
  | { kind: 'line'; x1: number; y1: number; x2: number; y2: number; stroke: Rgb }
  | { kind: 'circle'; cx: number; cy: number; r: number; fill: Rgb }
  | {
      kind: 'text';
      x: number;
      y: number;
      text: string;
      /** Font pixels per pixel: 1 for labels, 2 for titles. */
      scale: number;
      /** Where `x` is along the text (for `vertical`, where `y` is). Default `start`. */
      anchor?: 'start' | 'middle' | 'end';
      /** Reading upwards (a y-axis label); `(x, y)` is then its bottom-left corner. */
      vertical?: boolean;
      color?: Rgb;
    }
  | {
      kind: 'image';
      x: number;
      y: number;
      /** Cells across and down; `rgb` holds `rows·cols·3` bytes, row-major. */
      cols: number;
      rows: number;
      /** Pixels per cell. */
      cell: number;
      rgb: Uint8Array;
    };

/** A figure: its size in pixels and its shapes, drawn in order. */
export interface Figure {
  width: number;
  height: number;
  items: FigureItem[];
}

/** Height of a line of text at `scale`. */
export const lineHeight = (scale: number) => (GLYPH_HEIGHT + DESCENT + 2) * scale;

/** Where a text starts along its direction, given its anchor. */
function anchored(at: number, text: string, scale: number, anchor: string | undefined): number {
  const w = textWidth(text, scale);
  return anchor === 'middle' ? at - w / 2 : anchor === 'end' ? at - w : at;
}

const hex = ([r, g, b]: Rgb) =>
  `#${[r, g, b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One shape as SVG. */
function svgItem(item: FigureItem): string {
  switch (item.kind) {
    case 'rect':
      return `<rect x="${item.x}" y="${item.y}" width="${item.w}" height="${item.h}" fill="${item.fill ? hex(item.fill) : 'none'}"${item.stroke ? ` stroke="${hex(item.stroke)}"` : ''}/>`;
    case 'line':
      return `<line x1="${item.x1}" y1="${item.y1}" x2="${item.x2}" y2="${item.y2}" stroke="${hex(item.stroke)}"/>`;
    case 'circle':
      return `<circle cx="${item.cx}" cy="${item.cy}" r="${item.r}" fill="${hex(item.fill)}"/>`;
    case 'image': {
      const png = Buffer.from(encodePng(item.rgb, item.cols, item.rows)).toString('base64');
      return `<image x="${item.x}" y="${item.y}" width="${item.cols * item.cell}" height="${item.rows * item.cell}" preserveAspectRatio="none" style="image-rendering:pixelated" href="data:image/png;base64,${png}"/>`;
    }
    case 'text': {
      // Monospace at font-size 10·scale advances 6·scale per character, the font's advance.
      const size = (ADVANCE / 0.6) * item.scale;
      const baseline = GLYPH_HEIGHT * item.scale;
      const start = anchored(0, item.text, item.scale, item.anchor);
      const fill = hex(item.color ?? INK);
      const text = escapeXml(item.text);
      const attrs = `font-size="${size}" fill="${fill}" textLength="${textWidth(item.text, item.scale)}"`;
      if (item.vertical) {
        const x = item.x + baseline;
        const y = item.y - start;
        return `<text x="${x}" y="${y}" ${attrs} transform="rotate(-90 ${x} ${y})">${text}</text>`;
      }
      return `<text x="${item.x + start}" y="${item.y + baseline}" ${attrs}>${text}</text>`;
    }
  }
}

/** The figure as an SVG document (monospace text; images embedded as PNG, drawn pixelated). */
export function figureToSvg(figure: Figure): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${figure.width}" height="${figure.height}" viewBox="0 0 ${figure.width} ${figure.height}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...figure.items.map(svgItem),
    '</svg>',
    '',
  ].join('\n');
}

/** A white RGB canvas with the drawing operations the shapes need. */
class Canvas {
  readonly rgb: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.rgb = new Uint8Array(width * height * 3).fill(255);
  }

  set(x: number, y: number, [r, g, b]: Rgb): void {
    const px = Math.round(x);
    const py = Math.round(y);
    if (px < 0 || py < 0 || px >= this.width || py >= this.height) return;
    const i = (py * this.width + px) * 3;
    this.rgb[i] = r;
    this.rgb[i + 1] = g;
    this.rgb[i + 2] = b;
  }

  fill(x: number, y: number, w: number, h: number, color: Rgb): void {
    for (let py = Math.round(y); py < Math.round(y + h); py++)
      for (let px = Math.round(x); px < Math.round(x + w); px++) this.set(px, py, color);
  }

  line(x1: number, y1: number, x2: number, y2: number, color: Rgb): void {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x2 - x1), Math.abs(y2 - y1))));
    for (let s = 0; s <= steps; s++)
      this.set(x1 + ((x2 - x1) * s) / steps, y1 + ((y2 - y1) * s) / steps, color);
  }
}

/** Draws one shape onto the canvas. */
function drawItem(c: Canvas, item: FigureItem): void {
  switch (item.kind) {
    case 'rect':
      if (item.fill) c.fill(item.x, item.y, item.w, item.h, item.fill);
      if (item.stroke) {
        const [x0, y0, x1, y1] = [item.x, item.y, item.x + item.w - 1, item.y + item.h - 1];
        c.line(x0, y0, x1, y0, item.stroke);
        c.line(x0, y1, x1, y1, item.stroke);
        c.line(x0, y0, x0, y1, item.stroke);
        c.line(x1, y0, x1, y1, item.stroke);
      }
      return;
    case 'line':
      c.line(item.x1, item.y1, item.x2, item.y2, item.stroke);
      return;
    case 'circle':
      for (let dy = -item.r; dy <= item.r; dy++)
        for (let dx = -item.r; dx <= item.r; dx++)
          if (dx * dx + dy * dy <= item.r * item.r) c.set(item.cx + dx, item.cy + dy, item.fill);
      return;
    case 'image':
      for (let r = 0; r < item.rows; r++)
        for (let col = 0; col < item.cols; col++) {
          const i = (r * item.cols + col) * 3;
          const color: Rgb = [item.rgb[i] ?? 0, item.rgb[i + 1] ?? 0, item.rgb[i + 2] ?? 0];
          c.fill(item.x + col * item.cell, item.y + r * item.cell, item.cell, item.cell, color);
        }
      return;
    case 'text': {
      const color = item.color ?? INK;
      const start = anchored(0, item.text, item.scale, item.anchor);
      const [x, y] = item.vertical
        ? [Math.round(item.x), Math.round(item.y - start)]
        : [Math.round(item.x + start), Math.round(item.y)];
      plotText(item.text, x, y, item.scale, (px, py) => c.set(px, py, color), item.vertical);
    }
  }
}

/** The figure as an RGB PNG (text in the 5×7 font). */
export function figureToPng(figure: Figure): Uint8Array {
  const canvas = new Canvas(Math.ceil(figure.width), Math.ceil(figure.height));
  for (const item of figure.items) drawItem(canvas, item);
  return encodePng(canvas.rgb, canvas.width, canvas.height);
}
