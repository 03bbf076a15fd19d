import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { groupByName } from '@gcnn/lie-groups';
import { createModel, type GroupClassifier } from '@gcnn/models';
import { loadModelWeights } from '@gcnn/training';
import * as tf from '@tensorflow/tfjs-core';
import { selectCommandBackend } from './backend';
import { type CommandSpec, parseCommand } from './command-spec';
import { BACKEND_FLAG, GPU_ADAPTER_FLAG, HELP_FLAG } from './common-flags';
import { type Figure, figureToPng, figureToSvg } from './figure';
import { flag, withDefault, withDefaults } from './flag-spec';
import { gridsFigure } from './grids-figure';
import { type HeatmapSpec, heatmapFigure } from './heatmap-figure';
import type { CliIo } from './io';
import { MODEL_FLAGS } from './model-flags';
import { disposeModelSource, loadModelSource } from './model-source';
import { resolveModelConfig, withConfigFile } from './resolve-config';
import {
  activationsSpec,
  INPUT_KINDS,
  layerActivations,
  type VisualizeInput,
  visualizeInput,
} from './visualize-activations';
import {
  type ElementAxis,
  elementAxis,
  firstGroupConv,
  type KernelFigureOptions,
  liftingGridsSpec,
  liftingKernelsSpec,
  separableKernelSpecs,
} from './visualize-kernels';

const VISUALIZE_FLAGS = {
  checkpoint: flag.string({
    description:
      'Visualize a trained checkpoint (run folder or .json, its best) or a model file of gcnn export / gcnn import-torch; otherwise an untrained model from the model flags',
  }),
  out: flag.string({ description: 'Output folder for the images', default: 'visualize' }),
  input: flag.choice(INPUT_KINDS, {
    description:
      "The activations' input: the dataset's first test image (an error when the dataset cannot be loaded), or seeded uniform noise",
    default: 'dataset',
  }),
  channels: flag.int({ min: 1, description: 'How many channels to draw', default: 8 }),
  scale: flag.int({
    min: 1,
    description:
      'Pixels per kernel value in the kernel figures (activation maps are drawn ~84 px wide)',
    default: 12,
  }),
  ...MODEL_FLAGS,
  backend: withDefault(BACKEND_FLAG, 'cpu'),
  'gpu-adapter': GPU_ADAPTER_FLAG,
  help: HELP_FLAG,
};

export const VISUALIZE_COMMAND: CommandSpec<typeof VISUALIZE_FLAGS> = {
  name: 'visualize',
  usage: 'gcnn visualize [--checkpoint <run>|model flags] [--input dataset|random] --out <dir>',
  summary:
    "Draw the reference notebooks' pictures, each as a PNG and an SVG with a title, labelled axes and a colour bar (one colour scale per figure): lifting grids per group element; lifting kernels per element; the first group conv's spatial kernels per element and H-kernels per channel pair over the group offsets (separable); the activations of the lifting layer and of the first group conv for an input and its 90° rotation (the maps rotate and shift cyclically along the group axis).",
  flags: VISUALIZE_FLAGS,
};

/** Pixel width of an activation map in the figures. */
const ACTIVATION_MAP_PIXELS = 84;

/** `gcnn visualize`: the reference notebooks' pictures for a model (reference §1.1). */
export async function visualizeCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(VISUALIZE_COMMAND, argv, io);
  if (!parsed) return 0;
  const values = withDefaults(
    VISUALIZE_FLAGS,
    withConfigFile(parsed.given, VISUALIZE_FLAGS, 'visualize'),
  );
  const outDir = resolve(io.cwd, values.out);
  const backend = await selectCommandBackend(values, io);
  const model = await visualizedModel(values, io);
  const written: string[] = [];
  try {
    const input = await visualizeInput(values.input, values.dataset, model);
    try {
      mkdirSync(outDir, { recursive: true });
      for await (const [name, figure] of figures(model, input, values, io)) {
        writeFileSync(join(outDir, `${name}.png`), figureToPng(figure));
        writeFileSync(join(outDir, `${name}.svg`), figureToSvg(figure));
        written.push(`${name}.png`, `${name}.svg`);
      }
    } finally {
      input.image.dispose();
    }
  } finally {
    model.dispose();
  }
  io.out.write(`wrote ${written.map((w) => join(outDir, w)).join(', ')} (backend ${backend})\n`);
  return 0;
}

/** The model to draw: a checkpoint's (its best) or a model file's, else an untrained one from the model flags. */
async function visualizedModel(
  values: Parameters<typeof resolveModelConfig>[0] & { checkpoint: string | undefined },
  io: CliIo,
): Promise<GroupClassifier> {
  if (values.checkpoint === undefined)
    return createModel(resolveModelConfig(values, 'visualize')) as GroupClassifier;
  const source = await loadModelSource(resolve(io.cwd, values.checkpoint), 'best');
  try {
    const model = createModel(source.modelConfig) as GroupClassifier;
    loadModelWeights(model, source, source.path);
    return model;
  } finally {
    disposeModelSource(source);
  }
}

/**
 * Every figure of the model, by file name (without extension): grids, lifting kernels, the first
 * group conv's separable kernels, and the activations of the lifting layer and that conv.
 */
async function* figures(
  model: GroupClassifier,
  input: VisualizeInput,
  values: { channels: number; scale: number },
  io: CliIo,
): AsyncGenerator<[string, Figure]> {
  const { config } = model;
  const subgroup = groupByName({ name: config.group, maxScale: config.maxScale }).subgroup;
  const grid = model.lifting.grid;
  const elements = tf.tidy(() => subgroup.sample(grid, { method: 'discretize' }));
  try {
    const axis = elementAxis((await elements.array()) as number[][], grid);
    const options = kernelOptions(axis, values);
    const heatmap = (spec: HeatmapSpec) => heatmapFigure(spec).figure;
    yield [
      'lifting-grids',
      gridsFigure(await liftingGridsSpec(subgroup, elements, axis, config.kernelSize)),
    ];
    yield ['lifting-kernels', heatmap(await liftingKernelsSpec(model, elements, options))];
    const first = firstGroupConv(model);
    const separable =
      first && (await separableKernelSpecs(first.name, first.conv, elements, options));
    if (separable) {
      yield ['groupconv-spatial-kernels', heatmap(separable.spatial)];
      yield ['groupconv-h-kernels', heatmap(separable.h)];
    } else if (first) {
      io.err.write(
        `gcnn visualize: ${first.name} is '${first.conv.implementation}', not 'separable': its separable kernels are not drawn\n`,
      );
    }
    const layers: Array<[string, string, string]> = [
      ['lifting-activations-rot90', 'Lifting activations', 'lifting'],
    ];
    if (first)
      layers.push(['groupconv-activations-rot90', 'First group conv activations', first.stage]);
    for (const [name, what, layer] of layers) {
      const acts = await layerActivations(model, input.image, layer);
      yield [name, heatmap(await activationsSpec(what, acts, input, axis, ACTIVATION_MAP_PIXELS))];
    }
  } finally {
    elements.dispose();
  }
}

/** The kernel figures' options: many elements get smaller cells, so a figure stays on a page. */
function kernelOptions(
  axis: ElementAxis,
  values: { channels: number; scale: number },
): KernelFigureOptions {
  const { nRotations: R, nScales: S } = axis.grid;
  // The columns of a figure: every element, or the rotations of Sim(2) (see byScale).
  const columns = R > 1 && S > 1 ? R : R * S;
  const cell = columns > 8 ? Math.max(3, Math.floor((values.scale * 8) / columns)) : values.scale;
  return { axis, channels: values.channels, cell };
}
