import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DATASET_INFO, type DatasetId, toBatch } from '@gcnn/datasets';
import type { GroupConv2D } from '@gcnn/group-conv';
import { groupByName, rotate90 } from '@gcnn/lie-groups';
import { createModel, type GroupClassifier, modelConfigFromJson } from '@gcnn/models';
import { disposeCheckpoint, loadModelWeights } from '@gcnn/training';
import { loadCheckpoint } from '@gcnn/training/node';
import * as tf from '@tensorflow/tfjs-core';
import { type BackendName, selectBackend } from './backend';
import { type FlagSpec, formatHelp, parseFlags, UsageError } from './flags';
import type { CliIo } from './io';
import { loadDatasets } from './load-datasets';
import { encodePng } from './png';
import { resolveModelConfig } from './resolve-config';
import { BACKEND_FLAG, GPU_ADAPTER_FLAG, HELP_FLAG, MODEL_FLAGS } from './train-flags';

const VISUALIZE_FLAGS: readonly FlagSpec[] = [
  {
    name: 'checkpoint',
    type: 'string',
    description:
      'Visualize a trained checkpoint (run folder or .json); otherwise an untrained model from the model flags',
  },
  {
    name: 'out',
    type: 'string',
    description: 'Output folder for the images',
    defaultText: 'visualize',
  },
  {
    name: 'channels',
    type: 'int',
    min: 1,
    description: 'How many output channels to draw',
    defaultText: '8',
  },
  {
    name: 'scale',
    type: 'int',
    min: 1,
    description: 'Pixels per kernel/feature value in the PNGs',
    defaultText: '12',
  },
  ...MODEL_FLAGS,
  { ...BACKEND_FLAG, defaultText: 'cpu' },
  GPU_ADAPTER_FLAG,
  HELP_FLAG,
];

/** Images `[rows][cols]` of `h×w` value maps → one RGB PNG (blue negative, white 0, red positive; per-image symmetric scale). */
function mapsToPng(maps: number[][][], h: number, w: number, scale: number): Uint8Array {
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
function gridsSvg(sets: number[][][], titles: string[]): string {
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

/** `gcnn visualize`: the reference notebooks' pictures for a model (reference §1.1). */
export async function visualizeCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(VISUALIZE_FLAGS, argv, 'visualize');
  if (values.help) {
    io.out.write(
      formatHelp(
        'gcnn visualize [--checkpoint <run>|model flags] --out <dir>',
        'Write the pictures of the reference notebooks: lifting coordinate grids per group element (SVG), lifting kernels per element, the separable H- and spatial kernels of the first group conv, and lifting activations of an input and its 90° rotation (PNG).',
        VISUALIZE_FLAGS,
      ),
    );
    return 0;
  }
  const outDir = resolve(io.cwd, (values.out as string | undefined) ?? 'visualize');
  mkdirSync(outDir, { recursive: true });
  const backend = await selectBackend((values.backend as BackendName | undefined) ?? 'cpu', {
    gpuAdapter: values['gpu-adapter'] as string | undefined,
    log: (line) => io.err.write(`${line}\n`),
  });
  let config = resolveModelConfig(values, 'visualize');
  const ckpt =
    values.checkpoint !== undefined
      ? await loadCheckpoint(resolve(io.cwd, values.checkpoint as string), 'best')
      : undefined;
  if (ckpt) config = modelConfigFromJson(ckpt.manifest.modelConfig);
  const model = createModel(config) as ReturnType<typeof createModel> & GroupClassifier;
  const nCh = (values.channels as number | undefined) ?? 8;
  const scale = (values.scale as number | undefined) ?? 12;
  const written: string[] = [];
  const write = (name: string, data: string | Uint8Array) => {
    writeFileSync(join(outDir, name), data);
    written.push(name);
  };
  try {
    if (ckpt) {
      loadModelWeights(model, ckpt, ckpt.path);
      disposeCheckpoint(ckpt);
    }
    const group = groupByName({ name: config.group, maxScale: config.maxScale });
    const k = config.kernelSize;
    const elements = group.subgroup.sample(config.sampleCount, { method: 'discretize' });
    const G = elements.shape[0];
    // 1. Lifting coordinate grids h⁻¹x on a k×k grid of [-1, 1]².
    const lin = Array.from({ length: k }, (_, i) => (k === 1 ? 0 : -1 + (2 * i) / (k - 1)));
    const grid = tf.tensor2d(
      lin.flatMap((y) => lin.map((x) => [x, y])),
      [k * k, 2],
    );
    const sets: number[][][] = [];
    const elems = (await elements.array()) as number[][];
    for (let g = 0; g < G; g++) {
      const pts = tf.tidy(() =>
        group.subgroup.inverseAct(tf.slice(elements, [g, 0], [1, -1]), grid),
      );
      sets.push(
        ((await pts.array()) as number[][] | number[][][]).flat(pts.rank - 2) as number[][],
      );
      pts.dispose();
    }
    grid.dispose();
    write(
      'lifting-grids.svg',
      gridsSvg(
        sets,
        elems.map((e) => `h = (${e.map((v) => v.toFixed(2)).join(', ')})`),
      ),
    );
    // 2. Lifting kernels per element: rows = output channels, columns = group elements.
    const filter = tf.tidy(() => model.lifting.sampleFilter(elements));
    const [, , cin, gc] = filter.shape;
    const cout = gc / G;
    const fv = await filter.data();
    filter.dispose();
    const liftMaps: number[][][] = [];
    for (let c = 0; c < Math.min(nCh, cout); c++) {
      const row: number[][] = [];
      for (let g = 0; g < G; g++) {
        const m: number[] = [];
        for (let y = 0; y < k; y++)
          for (let x = 0; x < k; x++)
            m.push(fv[((y * k + x) * cin + 0) * gc + g * cout + c] as number);
        row.push(m);
      }
      liftMaps.push(row);
    }
    write('lifting-kernels.png', mapsToPng(liftMaps, k, k, scale));
    // 3. Separable kernels of the first group conv.
    const firstConv = model.stages
      .map((s) =>
        s.kind === 'conv'
          ? s.layer
          : s.kind === 'block'
            ? (s.block as unknown as { gconv1: GroupConv2D }).gconv1
            : null,
      )
      .find((l) => l);
    if (firstConv) {
      const kernels = tf.tidy(() => firstConv.sampleKernels(elements, elements));
      if (kernels.implementation === 'separable') {
        const [kh, kw, gp] = kernels.spatial.shape;
        const P = gp / G;
        const sv = await kernels.spatial.data();
        const spMaps: number[][][] = [];
        for (let p = 0; p < Math.min(nCh, P); p++) {
          const row: number[][] = [];
          for (let g = 0; g < G; g++) {
            const m: number[] = [];
            for (let y = 0; y < kh; y++)
              for (let x = 0; x < kw; x++) m.push(sv[(y * kw + x) * gp + g * P + p] as number);
            row.push(m);
          }
          spMaps.push(row);
        }
        write('groupconv-spatial-kernels.png', mapsToPng(spMaps, kh, kw, scale));
        const [mr, mc] = kernels.mixing.shape;
        write(
          'groupconv-h-kernel.png',
          mapsToPng(
            [[Array.from(await kernels.mixing.data())]],
            mr,
            mc,
            Math.max(2, Math.floor(scale / 3)),
          ),
        );
      } else {
        io.err.write(
          `gcnn visualize: the first group conv is '${kernels.implementation}', not 'separable'; its separable kernels are not drawn\n`,
        );
      }
      tf.dispose(Object.values(kernels).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
    }
    // 4. Lifting activations (channel 0, every element) of a test image and its 90° rotation.
    const id: DatasetId = (values.dataset as DatasetId | undefined) ?? 'mnist-rot';
    let image: tf.Tensor4D;
    try {
      const data = await loadDatasets({ id, limitTrain: 1, limitTest: 1 });
      image = toBatch(data.test, Int32Array.from([0]), {
        normalization: DATASET_INFO[id].normalization,
      }).xs;
    } catch {
      image = tf.randomUniform(
        [1, config.imageSize, config.imageSize, config.inChannels],
        0,
        1,
        'float32',
        config.seed,
      ) as tf.Tensor4D;
    }
    const actRows: number[][][] = [];
    let hw = [0, 0];
    for (const x of [image, rotate90(image) as tf.Tensor4D]) {
      const f = tf.tidy(
        () => model.lifting.apply(x, { training: false, outputElements: elements }).features,
      );
      const [, h, w, g, c] = f.shape;
      hw = [h, w];
      const v = await f.data();
      f.dispose();
      const row: number[][] = [];
      for (let gi = 0; gi < g; gi++) {
        const m: number[] = [];
        for (let y = 0; y < h; y++)
          for (let xx = 0; xx < w; xx++) m.push(v[((y * w + xx) * g + gi) * c + 0] as number);
        row.push(m);
      }
      actRows.push(row);
      if (x !== image) x.dispose();
    }
    image.dispose();
    elements.dispose();
    write(
      'lifting-activations-rot90.png',
      mapsToPng(actRows, hw[0] as number, hw[1] as number, Math.max(2, Math.floor(scale / 3))),
    );
  } finally {
    model.dispose();
  }
  io.out.write(`wrote ${written.map((w) => join(outDir, w)).join(', ')} (backend ${backend})\n`);
  if (written.length === 0) throw new UsageError('gcnn visualize: nothing was written');
  return 0;
}
