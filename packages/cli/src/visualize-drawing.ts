/**
 * @file The pictures of `gcnn visualize`: value maps as a PNG grid, point sets as SVG scatter plots.
 */
import { encodePng } from './png';

/** Images `[rows][cols]` of `h×w` value maps → one RGB PNG (blue negative, white 0, red positive; per-image symmetric scale). */
export function mapsToPng(maps: number[][][], h: number, w: number, scale: number): Uint8Array {
  const rows = maps.length;
  const cols = Math.max(...maps.map((r) => r.length));
  const gap = 2;
  const W = cols * (w * scale + gap) + gap;
  const H = rows * (h * scale + gap) + gap;
  const rgb = new Uint8Array(W * H * 3).fill(64);
  maps.forEach((row, r) => {
    row.forEach((m, c) => {
      const max = Math.max(1e-12, ...m.map(Math.abs));
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const v = (m[y * w + x] as number) / max;
          const [R, G, B] =
            v >= 0
              ? [255, Math.round(255 * (1 - v)), Math.round(255 * (1 - v))]
              : [Math.round(255 * (1 + v)), Math.round(255 * (1 + v)), 255];
          for (let dy = 0; dy < scale; dy++) {
            for (let dx = 0; dx < scale; dx++) {
              const px = gap + c * (w * scale + gap) + x * scale + dx;
              const py = gap + r * (h * scale + gap) + y * scale + dy;
              const i = (py * W + px) * 3;
              rgb[i] = R;
              rgb[i + 1] = G;
              rgb[i + 2] = B;
            }
          }
        }
      }
    });
  });
  return encodePng(rgb, W, H);
}

/** Scatter plots of point sets, one panel each, as SVG; the first point of each set is marked with ×. */
export function gridsSvg(sets: number[][][], titles: string[]): string {
  const S = 160;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${S * sets.length}" height="${S + 20}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
  ];
  const lim = Math.max(1, ...sets.flat().flat().map(Math.abs)) * 1.1;
  sets.forEach((pts, i) => {
    const ox = i * S;
    const sx = (x: number) => ox + S / 2 + (x / lim) * (S / 2 - 8);
    const sy = (y: number) => 20 + S / 2 - (y / lim) * (S / 2 - 8);
    parts.push(
      `<rect x="${ox + 2}" y="20" width="${S - 4}" height="${S - 4}" fill="none" stroke="#ccc"/>`,
      `<text x="${ox + S / 2}" y="14" text-anchor="middle">${titles[i]}</text>`,
    );
    pts.forEach(([x, y], j) => {
      if (j === 0)
        parts.push(
          `<text x="${sx(x as number)}" y="${sy(y as number)}" text-anchor="middle" dominant-baseline="middle" fill="#d62728" font-size="14">×</text>`,
        );
      else
        parts.push(
          `<circle cx="${sx(x as number).toFixed(1)}" cy="${sy(y as number).toFixed(1)}" r="2.5" fill="#1f77b4"/>`,
        );
    });
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
