/**
 * `gcnn visualize`: every figure is written as a PNG and an SVG of the same size, within sane
 * bounds; a figure's maps share one colour scale (the largest |value| of all of them, as its
 * colour bar says), checked on the decoded PNG; the activation figures report the measured
 * equivariance error; a model file draws its trained weights; a dataset that cannot be loaded is an
 * error, not a silent random image.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ONCE, ROOT, useCliSandbox } from './cli.test-helpers';
import { figureToPng, figureToSvg } from './figure';
import { diverging, heatmapFigure } from './heatmap-figure';

/** Width, height and RGB pixels of a PNG written by `encodePng` (8-bit RGB, filter 0 rows). */
function decodePng(bytes: Uint8Array): { width: number; height: number; rgb: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  while (at < bytes.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') [width, height] = [view.getUint32(at + 8), view.getUint32(at + 12)];
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * 3 + 1)], 'filter type of row').toBe(0);
    rgb.set(raw.subarray(y * (width * 3 + 1) + 1, (y + 1) * (width * 3 + 1)), y * width * 3);
  }
  return { width, height, rgb };
}

const svgSize = (svg: string) =>
  (svg.match(/^<svg [^>]*width="(\d+)" height="(\d+)"/)?.slice(1) ?? []).map(Number);

const FIGURES = [
  'lifting-grids',
  'lifting-kernels',
  'groupconv-spatial-kernels',
  'groupconv-h-kernels',
  'lifting-activations-rot90',
  'groupconv-activations-rot90',
];

const SMALL_MODEL = ['--hidden-sizes', '4,8', '--ck-net-hidden-size', '8', '--channels', '3'];

describe.skipIf(!ONCE)('gcnn visualize', () => {
  const box = useCliSandbox('gcnn-visualize-');

  it('writes every figure as a PNG and an SVG of the same size', async () => {
    const r = await box.run([
      'visualize',
      '--out',
      'pictures',
      '--input',
      'random',
      ...SMALL_MODEL,
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const dir = join(box.dir, 'pictures');
    expect(readdirSync(dir).sort()).toEqual(
      FIGURES.flatMap((f) => [`${f}.png`, `${f}.svg`]).sort(),
    );
    for (const name of FIGURES) {
      const png = readFileSync(join(dir, `${name}.png`));
      const svg = readFileSync(join(dir, `${name}.svg`), 'utf8');
      const { width, height } = decodePng(png);
      expect(svgSize(svg), name).toEqual([width, height]);
      expect(width, name).toBeGreaterThan(400);
      expect(width, name).toBeLessThan(2000);
      expect(height, name).toBeGreaterThan(150);
      expect(height, name).toBeLessThan(1200);
      expect(png.length, name).toBeGreaterThan(2_000);
      expect(png.length, name).toBeLessThan(500_000);
      expect(svg, name).toMatch(/<text [^>]*font-size="20"[^>]*>[^<]+<\/text>/); // the title
    }
    // The activations of an SE(2) model with N = 8 under a quarter turn: rotated and shifted by 2.
    for (const name of ['lifting-activations-rot90', 'groupconv-activations-rot90']) {
      const svg = readFileSync(join(dir, `${name}.svg`), 'utf8');
      const error = Number(svg.match(/moves it N\/4 = 2 elements .*‖f\(x\)‖ = ([\d.e+-]+)</)?.[1]);
      expect(error, name).toBeLessThan(1e-5);
    }
  });

  it('one colour scale for every map of a figure: its largest |value|, on the colour bar and in the pixels', () => {
    const maps = [Float32Array.of(2, -1, 0, 0.5), Float32Array.of(0.5, -0.25, 1, 0)];
    const { figure, scale } = heatmapFigure({
      title: 'shared scale',
      rows: [{ label: 'row', maps }],
      mapSize: [2, 2],
      columnLabels: ['a', 'b'],
      columnAxis: 'columns',
      rowAxis: 'rows',
      cell: 5,
      colorbarLabel: 'value',
    });
    expect(scale).toBe(2);
    expect(figureToSvg(figure)).toContain('>2.00</text>');
    expect(figureToSvg(figure)).toContain('>−2.00</text>');
    const images = figure.items.filter((i) => i.kind === 'image' && i.cols === 2);
    expect(images).toHaveLength(2);
    const { width, rgb } = decodePng(figureToPng(figure));
    images.forEach((image, m) => {
      if (image.kind !== 'image') return;
      for (let cell = 0; cell < 4; cell++) {
        // The centre pixel of each cell is the value's colour on the shared scale.
        const x = Math.round(image.x + (cell % 2) * 5 + 2);
        const y = Math.round(image.y + Math.floor(cell / 2) * 5 + 2);
        const pixel = Array.from(rgb.subarray((y * width + x) * 3, (y * width + x) * 3 + 3));
        expect(pixel, `map ${m}, cell ${cell}`).toEqual([
          ...diverging(maps[m]?.[cell] as number, 2),
        ]);
      }
    });
    // The second map's largest value (1) is half the scale: a pale red, not saturated.
    expect([...diverging(1, 2)]).toEqual([255, 128, 128]);
  });

  it("draws a model file of gcnn export (the browser demo's trained model), not an untrained one", async () => {
    const modelFile = join(ROOT, 'examples/browser-demo/public/model/model.json');
    const args = ['--input', 'random', '--channels', '2'];
    const trained = await box.run([
      'visualize',
      '--checkpoint',
      modelFile,
      '--out',
      'trained',
      ...args,
    ]);
    expect(trained.err).toBe('');
    expect(trained.code).toBe(0);
    const untrained = await box.run(['visualize', '--out', 'untrained', ...args]);
    expect(untrained.code).toBe(0);
    const kernels = (dir: string) =>
      readFileSync(join(box.dir, dir, 'lifting-kernels.svg'), 'utf8');
    expect(kernels('trained')).toMatch(/first 2 of 16 output channels/);
    expect(kernels('trained')).not.toBe(kernels('untrained'));
  });

  it('fails naming --input random when the dataset cannot be loaded (no silent random image)', async () => {
    const r = await box.run(['visualize', '--dataset', 'cifar10', '--out', 'none', ...SMALL_MODEL]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /gcnn visualize: could not load a test image of --dataset cifar10: .*; give its files with --data-dir, or --input random for seeded noise/,
    );
    expect(existsSync(join(box.dir, 'none'))).toBe(false);
  });
});
