import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DATASET_INFO, type DatasetId, toBatch } from '@gcnn/datasets';
import type { GroupConv2D } from '@gcnn/group-conv';
import { groupByName, rotate90, type Subgroup } from '@gcnn/lie-groups';
import {
  createModel,
  type GroupClassifier,
  type ModelConfig,
  modelConfigFromJson,
} from '@gcnn/models';
import { disposeCheckpoint, loadModelWeights } from '@gcnn/training';
import { loadCheckpoint } from '@gcnn/training/node';
import * as tf from '@tensorflow/tfjs-core';
import { selectCommandBackend } from './backend';
import { type CommandSpec, parseCommand } from './command-spec';
import { BACKEND_FLAG, GPU_ADAPTER_FLAG, HELP_FLAG } from './common-flags';
import { flag, withDefault, withDefaults } from './flag-spec';
import type { CliIo } from './io';
import { loadDatasets } from './load-datasets';
import { MODEL_FLAGS } from './model-flags';
import { resolveModelConfig, withConfigFile } from './resolve-config';
import { UsageError } from './usage-error';
import { gridsSvg, mapsToPng } from './visualize-drawing';

const VISUALIZE_FLAGS = {
  checkpoint: flag.string({
    description:
      'Visualize a trained checkpoint (run folder or .json); otherwise an untrained model from the model flags',
  }),
  out: flag.string({ description: 'Output folder for the images', default: 'visualize' }),
  channels: flag.int({ min: 1, description: 'How many output channels to draw', default: 8 }),
  scale: flag.int({
    min: 1,
    description: 'Pixels per kernel/feature value in the PNGs',
    default: 12,
  }),
  ...MODEL_FLAGS,
  backend: withDefault(BACKEND_FLAG, 'cpu'),
  'gpu-adapter': GPU_ADAPTER_FLAG,
  help: HELP_FLAG,
};

export const VISUALIZE_COMMAND: CommandSpec<typeof VISUALIZE_FLAGS> = {
  name: 'visualize',
  usage: 'gcnn visualize [--checkpoint <run>|model flags] --out <dir>',
  summary:
    'Write the pictures of the reference notebooks: lifting coordinate grids per group element (SVG), lifting kernels per element, the separable H- and spatial kernels of the first group conv, and lifting activations of an input and its 90° rotation (PNG).',
  flags: VISUALIZE_FLAGS,
};

type Model = ReturnType<typeof createModel> & GroupClassifier;

/** What every picture is drawn from: the model, its sampled elements of H, and the picture options. */
interface Scene {
  model: Model;
  config: ModelConfig;
  /** The sampled elements of H, `[G, dim H]` (the `discretize` grid). */
  elements: tf.Tensor2D;
  /** Output channels drawn, and pixels per value. */
  channels: number;
  scale: number;
}

/** `gcnn visualize`: the reference notebooks' pictures for a model (reference §1.1). */
export async function visualizeCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(VISUALIZE_COMMAND, argv, io);
  if (!parsed) return 0;
  const values = withDefaults(
    VISUALIZE_FLAGS,
    withConfigFile(parsed.given, VISUALIZE_FLAGS, 'visualize'),
  );
  const outDir = resolve(io.cwd, values.out);
  mkdirSync(outDir, { recursive: true });
  const backend = await selectCommandBackend(values, io);
  let config = resolveModelConfig(values, 'visualize');
  const ckpt =
    values.checkpoint !== undefined
      ? await loadCheckpoint(resolve(io.cwd, values.checkpoint), 'best')
      : undefined;
  if (ckpt) config = modelConfigFromJson(ckpt.manifest.modelConfig);
  const model = createModel(config) as Model;
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
    const elements = group.subgroup.sample(config.sampleCount, { method: 'discretize' });
    const scene = { model, config, elements, channels: values.channels, scale: values.scale };
    try {
      write('lifting-grids.svg', await liftingGrids(group.subgroup, elements, config.kernelSize));
      write('lifting-kernels.png', await liftingKernels(scene));
      for (const [name, png] of await separableKernels(scene, io)) write(name, png);
      write('lifting-activations-rot90.png', await liftingActivations(scene, values.dataset));
    } finally {
      elements.dispose();
    }
  } finally {
    model.dispose();
  }
  io.out.write(`wrote ${written.map((w) => join(outDir, w)).join(', ')} (backend ${backend})\n`);
  if (written.length === 0) throw new UsageError('gcnn visualize: nothing was written');
  return 0;
}

/** 1. Lifting coordinate grids h⁻¹x on a k×k grid of [-1, 1]², one panel per element. */
async function liftingGrids(subgroup: Subgroup, elements: tf.Tensor2D, k: number): Promise<string> {
  const lin = Array.from({ length: k }, (_, i) => (k === 1 ? 0 : -1 + (2 * i) / (k - 1)));
  const grid = tf.tensor2d(
    lin.flatMap((y) => lin.map((x) => [x, y])),
    [k * k, 2],
  );
  const sets: number[][][] = [];
  const elems = (await elements.array()) as number[][];
  for (let g = 0; g < elements.shape[0]; g++) {
    const pts = tf.tidy(() => subgroup.inverseAct(tf.slice(elements, [g, 0], [1, -1]), grid));
    sets.push(((await pts.array()) as number[][] | number[][][]).flat(pts.rank - 2) as number[][]);
    pts.dispose();
  }
  grid.dispose();
  return gridsSvg(
    sets,
    elems.map((e) => `h = (${e.map((v) => v.toFixed(2)).join(', ')})`),
  );
}

/** 2. Lifting kernels (input channel 0): rows = output channels, columns = group elements. */
async function liftingKernels({ model, config, elements, channels, scale }: Scene) {
  const k = config.kernelSize;
  const G = elements.shape[0];
  const filter = tf.tidy(() => model.lifting.sampleFilter(elements));
  const [, , cin, gc] = filter.shape;
  const cout = gc / G;
  const fv = await filter.data();
  filter.dispose();
  const maps: number[][][] = [];
  for (let c = 0; c < Math.min(channels, cout); c++) {
    const row: number[][] = [];
    for (let g = 0; g < G; g++) {
      const m: number[] = [];
      for (let y = 0; y < k; y++)
        for (let x = 0; x < k; x++)
          m.push(fv[((y * k + x) * cin + 0) * gc + g * cout + c] as number);
      row.push(m);
    }
    maps.push(row);
  }
  return mapsToPng(maps, k, k, scale);
}

/** The model's first group convolution: a conv stage's layer, or a residual block's first conv. */
function firstGroupConv(model: Model): GroupConv2D | undefined {
  for (const s of model.stages) {
    if (s.kind === 'conv') return s.layer;
    if (s.kind === 'block') return (s.block as unknown as { gconv1: GroupConv2D }).gconv1;
  }
  return undefined;
}

/**
 * 3. The separable kernels of the first group conv: its spatial kernels per element
 * (`groupconv-spatial-kernels.png`) and its kernel on H (`groupconv-h-kernel.png`); none, with a
 * note, when it is not separable.
 */
async function separableKernels(
  { model, elements, channels, scale }: Scene,
  io: CliIo,
): Promise<Array<[string, Uint8Array]>> {
  const conv = firstGroupConv(model);
  if (!conv) return [];
  const G = elements.shape[0];
  const kernels = tf.tidy(() => conv.sampleKernels(elements, elements));
  try {
    if (kernels.implementation !== 'separable') {
      io.err.write(
        `gcnn visualize: the first group conv is '${kernels.implementation}', not 'separable'; its separable kernels are not drawn\n`,
      );
      return [];
    }
    const [kh, kw, gp] = kernels.spatial.shape;
    const P = gp / G;
    const sv = await kernels.spatial.data();
    const spatial: number[][][] = [];
    for (let p = 0; p < Math.min(channels, P); p++) {
      const row: number[][] = [];
      for (let g = 0; g < G; g++) {
        const m: number[] = [];
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++) m.push(sv[(y * kw + x) * gp + g * P + p] as number);
        row.push(m);
      }
      spatial.push(row);
    }
    const [mr, mc] = kernels.mixing.shape;
    const mixing = [[Array.from(await kernels.mixing.data())]];
    return [
      ['groupconv-spatial-kernels.png', mapsToPng(spatial, kh, kw, scale)],
      ['groupconv-h-kernel.png', mapsToPng(mixing, mr, mc, Math.max(2, Math.floor(scale / 3)))],
    ];
  } finally {
    tf.dispose(Object.values(kernels).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
  }
}

/** The first test image of the dataset, normalised; seeded noise when the dataset is not at hand. */
async function firstTestImage(id: DatasetId, config: ModelConfig): Promise<tf.Tensor4D> {
  try {
    const data = await loadDatasets({ id, limitTrain: 1, limitTest: 1 });
    const batch = toBatch(data.test, Int32Array.from([0]), {
      normalization: DATASET_INFO[id].normalization,
    });
    batch.ys.dispose();
    return batch.xs;
  } catch {
    const shape: [number, number, number, number] = [
      1,
      config.imageSize,
      config.imageSize,
      config.inChannels,
    ];
    return tf.randomUniform(shape, 0, 1, 'float32', config.seed) as tf.Tensor4D;
  }
}

/** 4. Lifting activations (channel 0, every element) of a test image and of its 90° rotation. */
async function liftingActivations({ model, elements, config, scale }: Scene, id: DatasetId) {
  const image = await firstTestImage(id, config);
  const rows: number[][][] = [];
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
    rows.push(row);
    if (x !== image) x.dispose();
  }
  image.dispose();
  return mapsToPng(rows, hw[0] as number, hw[1] as number, Math.max(2, Math.floor(scale / 3)));
}
