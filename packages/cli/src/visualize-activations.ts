/**
 * @file The activation figures of `gcnn visualize` (reference notebook `visualizing_activations`):
 * an input and its 90° rotation next to the feature maps of the lifting layer and of the first
 * group convolution over the group axis, on one colour scale, with the measured equivariance error.
 */
import { DATASET_INFO, type DatasetId, toBatch } from '@gcnn/datasets';
import { rotateGroupFeatures } from '@gcnn/group-conv/testing';
import { type GroupGrid, rotate90 } from '@gcnn/lie-groups';
import type { GroupClassifier } from '@gcnn/models';
import * as tf from '@tensorflow/tfjs-core';
import type { HeatmapSpec } from './heatmap-figure';
import { loadDatasets } from './load-datasets';
import { errorMessage, UsageError } from './usage-error';
import { byScale, type ElementAxis } from './visualize-kernels';

/** `--input`: a test image of the dataset, or seeded noise. */
export const INPUT_KINDS = ['dataset', 'random'] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

/** The picture's input `[1, h, w, C]` (normalised as in training) and what it is, in words. */
export interface VisualizeInput {
  image: tf.Tensor4D;
  description: string;
}

/**
 * The first test image of `id` (normalised as in training), or with `kind` `random` seeded
 * uniform noise. A dataset that cannot be loaded is an error that names `--input random`.
 */
export async function visualizeInput(
  kind: InputKind,
  id: DatasetId,
  model: GroupClassifier,
): Promise<VisualizeInput> {
  const { imageSize, inChannels, seed } = model.config;
  if (kind === 'random') {
    const shape: [number, number, number, number] = [1, imageSize, imageSize, inChannels];
    const image = tf.randomUniform(shape, 0, 1, 'float32', seed) as tf.Tensor4D;
    return { image, description: `input: seeded uniform noise (--input random, seed ${seed})` };
  }
  try {
    const data = await loadDatasets({ id, limitTrain: 1, limitTest: 1 });
    const batch = toBatch(data.test, Int32Array.from([0]), {
      normalization: DATASET_INFO[id].normalization,
    });
    const label = (await batch.ys.data())[0];
    batch.ys.dispose();
    return { image: batch.xs, description: `input: ${id} test image #0 (label ${label})` };
  } catch (error) {
    throw new UsageError(
      `gcnn visualize: could not load a test image of --dataset ${id}: ${errorMessage(error)}; give its files with --data-dir, or --input random for seeded noise`,
    );
  }
}

/** The maps `[G][h·w]` of channel `c` of group features `[1, h, w, G, C]` (values in order). */
function channelMaps(values: Float32Array, shape: number[], c: number): Float32Array[] {
  const [, h = 0, w = 0, g = 0, cs = 0] = shape;
  return Array.from({ length: g }, (_, gi) => {
    const m = new Float32Array(h * w);
    for (let i = 0; i < h * w; i++) m[i] = values[(i * g + gi) * cs + c] as number;
    return m;
  });
}

/**
 * The channel whose strongest response moves most along the group axis (largest spread of the
 * per-element maxima, relative to the largest): the one where the shift is easiest to see.
 */
function liveliestChannel(values: Float32Array, shape: number[]): number {
  const channels = shape[4] ?? 1;
  let best = 0;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < channels; c++) {
    const maxima = channelMaps(values, shape, c).map((m) => Math.max(...m));
    const hi = Math.max(...maxima);
    const score = (hi - Math.min(...maxima)) / (Math.abs(hi) + 1e-6);
    if (score > bestScore) [best, bestScore] = [c, score];
  }
  return best;
}

/** What a rotation does to the maps of a group with `grid`, and the error measured, in words. */
function equivarianceNote(grid: GroupGrid, error: number | undefined): string {
  if (grid.kind === 'scale')
    return 'R2xRplus has no rotations: the rotated input’s maps are not a shifted copy of the others';
  const r = grid.nRotations;
  if (error === undefined)
    return `${r} rotations: a quarter turn is not a sampled element, so the maps are only approximately rotated and shifted`;
  const steps = grid.nScales > 1 ? `R/4 = ${r / 4} rotation steps` : `N/4 = ${r / 4} elements`;
  return `Rotating the input by 90° rotates every map and moves it ${steps} to the right, cyclically; measured ‖f(rot x) − rot·roll f(x)‖/‖f(x)‖ = ${error.toExponential(1)}`;
}

/** One layer's activations for the input and its rotation, ready for a figure. */
export interface LayerActivations {
  layer: string;
  channel: number;
  channels: number;
  size: [number, number];
  rows: [Float32Array[], Float32Array[]];
  /** ‖f(rot x) − rot·roll f(x)‖ / ‖f(x)‖ over every channel; undefined without quarter turns. */
  error: number | undefined;
}

/**
 * The activations of `layer` (`lifting`, `layers.3`, …) of `model` for `image` and its rotation
 * by 90°, for the liveliest channel, with the equivariance error of the whole layer.
 */
export async function layerActivations(
  model: GroupClassifier,
  image: tf.Tensor4D,
  layer: string,
): Promise<LayerActivations> {
  const grid = model.lifting.grid;
  const rotated = rotate90(image) as tf.Tensor4D;
  const traces = [image, rotated].map((x) => model.applyTraced(x, { training: false }));
  const [fx, frx] = traces.map((t) => t.intermediates[layer] as tf.Tensor5D) as [
    tf.Tensor5D,
    tf.Tensor5D,
  ];
  const exact = grid.kind !== 'scale' && grid.nRotations % 4 === 0;
  const norms = exact
    ? tf.tidy(() => {
        const expected = rotateGroupFeatures(fx, 1, grid);
        return tf.stack([tf.norm(tf.sub(frx, expected)), tf.norm(expected)]);
      })
    : undefined;
  const [vx, vrx, n] = await Promise.all([fx.data(), frx.data(), norms?.data()]);
  const shape = fx.shape;
  tf.dispose([
    rotated,
    norms,
    ...traces.flatMap((t) => [t.logits, ...Object.values(t.intermediates)]),
  ]);
  const channel = liveliestChannel(vx as Float32Array, shape);
  return {
    layer,
    channel,
    channels: shape[4],
    size: [shape[1], shape[2]],
    rows: [
      channelMaps(vx as Float32Array, shape, channel),
      channelMaps(vrx as Float32Array, shape, channel),
    ],
    error: n ? (n[0] as number) / Math.max(n[1] as number, 1e-30) : undefined,
  };
}

/** The input `[1, h, w, C]` as a grayscale map `[h·w]` (mean over channels), and rotated. */
async function inputMaps(image: tf.Tensor4D): Promise<[Float32Array, Float32Array]> {
  const maps = tf.tidy(() => [tf.mean(image, 3), tf.mean(rotate90(image), 3)]);
  const values = await Promise.all(maps.map((m) => m.data()));
  tf.dispose(maps);
  return values as [Float32Array, Float32Array];
}

/** The figure of one layer's {@link LayerActivations}: rows x and rot90(x), columns the elements. */
export async function activationsSpec(
  what: string,
  acts: LayerActivations,
  input: VisualizeInput,
  axis: ElementAxis,
  mapPixels: number,
): Promise<HeatmapSpec> {
  const [x, rx] = await inputMaps(input.image);
  const [, h, w] = input.image.shape;
  const cell = Math.max(2, Math.round(mapPixels / acts.size[1]));
  return {
    title: `${what} (${acts.layer}), channel ${acts.channel} of ${acts.channels}: an input and its 90° rotation`,
    notes: [
      `${input.description}; one colour scale for every map`,
      equivarianceNote(axis.grid, acts.error),
    ],
    ...byScale(
      [
        { label: 'x', lead: x, maps: acts.rows[0] },
        { label: 'rot90(x)', lead: rx, maps: acts.rows[1] },
      ],
      axis,
    ),
    mapSize: acts.size,
    lead: { size: [h, w], label: 'input' },
    leadCell: Math.max(2, Math.round(mapPixels / w)),
    rowAxis: 'input',
    cell,
    colorbarLabel: `activation (channel ${acts.channel})`,
  };
}
