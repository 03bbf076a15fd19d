/**
 * @file The kernel figures of `gcnn visualize` (reference notebook `visualizing_kernels`): the
 * lifting coordinate grids, the lifting kernels per group element, and the separable kernels of
 * the first group convolution — its spatial kernels per element and its H-kernels per channel pair
 * over the group offsets.
 */
import type { GroupConv2D } from '@gcnn/group-conv';
import type { GroupGrid, Subgroup } from '@gcnn/lie-groups';
import type { GroupClassifier } from '@gcnn/models';
import * as tf from '@tensorflow/tfjs-core';
import type { GridsSpec } from './grids-figure';
import type { HeatmapRow, HeatmapSpec } from './heatmap-figure';

/** A model's sampled elements of H and how the figures name them. */
export interface ElementAxis {
  /** `[G][dim H]`: θ for SE(2), s for R2xRplus, (θ, s) for Sim(2). */
  values: number[][];
  grid: GroupGrid;
  /** Column label of each element (`θ=45°`, `s=1.32`, `45°,s=1.32`). */
  labels: string[];
  /** The axis name (`group element h: rotation θ`). */
  axis: string;
}

const degrees = (rad: number) => `${Math.round((rad * 180) / Math.PI)}°`;

/** How the figures label the elements `values` of a subgroup of `kind`. */
export function elementAxis(values: number[][], grid: GroupGrid): ElementAxis {
  const label = (e: number[]) =>
    grid.kind === 'rotation'
      ? `θ=${degrees(e[0] as number)}`
      : grid.kind === 'scale'
        ? `s=${(e[0] as number).toFixed(2)}`
        : `${degrees(e[0] as number)},s=${(e[1] as number).toFixed(2)}`;
  const axis =
    grid.kind === 'rotation'
      ? 'group element h: rotation θ'
      : grid.kind === 'scale'
        ? 'group element h: scale s'
        : 'group element h: rotation θ, scale s (rotation-major)';
  return { values, grid, labels: values.map(label), axis };
}

/**
 * Rows of maps over every element as the figure shows them: as they are, or for Sim(2) (R > 1
 * rotations × S > 1 scales, rotation-major) each row split into one row per scale with the R
 * rotations as columns, so a figure stays a page wide.
 */
export function byScale(
  rows: HeatmapRow[],
  axis: ElementAxis,
): { rows: HeatmapRow[]; columnLabels: string[]; columnAxis: string } {
  const { nRotations: R, nScales: S } = axis.grid;
  if (R === 1 || S === 1) return { rows, columnLabels: axis.labels, columnAxis: axis.axis };
  const split = rows.flatMap((row) =>
    Array.from({ length: S }, (_, s) => ({
      label: `${row.label}, s=${((axis.values[s] as number[])[1] as number).toFixed(2)}`,
      maps: Array.from({ length: R }, (_, r) => row.maps[r * S + s] as ArrayLike<number>),
      ...(row.lead && s === 0 ? { lead: row.lead } : {}),
    })),
  );
  return {
    rows: split,
    columnLabels: Array.from(
      { length: R },
      (_, r) => `θ=${degrees((axis.values[r * S] as number[])[0] as number)}`,
    ),
    columnAxis: 'group element h: rotation θ (one row per scale s)',
  };
}

/** Lifting coordinate grids h⁻¹x of the k×k kernel grid on [−1, 1]², one panel per element. */
export async function liftingGridsSpec(
  subgroup: Subgroup,
  elements: tf.Tensor2D,
  axis: ElementAxis,
  k: number,
): Promise<GridsSpec> {
  const lin = Array.from({ length: k }, (_, i) => (k === 1 ? 0 : -1 + (2 * i) / (k - 1)));
  const grid = tf.tensor2d(
    lin.flatMap((y) => lin.map((x) => [x, y])),
    [k * k, 2],
  );
  const sets: number[][][] = [];
  for (let g = 0; g < elements.shape[0]; g++) {
    const pts = tf.tidy(() => subgroup.inverseAct(tf.slice(elements, [g, 0], [1, -1]), grid));
    sets.push(((await pts.array()) as number[][] | number[][][]).flat(pts.rank - 2) as number[][]);
    pts.dispose();
  }
  grid.dispose();
  return {
    title: `Lifting grids: h⁻¹x of the ${k}×${k} kernel grid for every group element h`,
    notes: [
      'The lifting kernel at h is the kernel net evaluated on these points; × marks the grid point (−1, −1).',
    ],
    sets,
    panelTitles: axis.labels,
  };
}

/** The figure options every kernel figure shares. */
export interface KernelFigureOptions {
  axis: ElementAxis;
  /** Output channels drawn (the first ones). */
  channels: number;
  /** Pixels per kernel value. */
  cell: number;
}

/** Maps `[rows][cols][k·k]` from `[k, k, …]` values, `at(row, col, tap)` the flat index. */
function kernelMaps(
  rows: number,
  cols: number,
  taps: number,
  values: Float32Array,
  at: (row: number, col: number, tap: number) => number,
): Float32Array[][] {
  return Array.from({ length: rows }, (_, r) =>
    Array.from({ length: cols }, (_, c) =>
      Float32Array.from({ length: taps }, (_, p) => values[at(r, c, p)] as number),
    ),
  );
}

/** Lifting kernels (input channel 0): rows = output channels, columns = group elements. */
export async function liftingKernelsSpec(
  model: GroupClassifier,
  elements: tf.Tensor2D,
  { axis, channels, cell }: KernelFigureOptions,
): Promise<HeatmapSpec> {
  const filter = tf.tidy(() => model.lifting.sampleFilter(elements));
  const [k, , cin, gc] = filter.shape;
  const values = (await filter.data()) as Float32Array;
  filter.dispose();
  const G = axis.values.length;
  const cout = gc / G;
  const shown = Math.min(channels, cout);
  // filter [k, k, Cin, G·Cout], element-major: tap p, input channel 0, element g, channel c.
  const maps = kernelMaps(shown, G, k * k, values, (c, g, p) => (p * cin + 0) * gc + g * cout + c);
  return {
    title: `Lifting kernels at every group element (input channel 0, first ${shown} of ${cout} output channels)`,
    notes: [
      'Each column is the continuous kernel (a SIREN on ℝ²) sampled on the grid h⁻¹x: the first column transformed by h.',
    ],
    ...byScale(
      maps.map((row, c) => ({ label: `channel ${c}`, maps: row })),
      axis,
    ),
    mapSize: [k, k],
    rowAxis: 'output channel',
    cell,
    colorbarLabel: 'kernel value',
  };
}

/** The model's first group convolution and its name: a conv stage, or a residual block's gconv1. */
export function firstGroupConv(
  model: GroupClassifier,
): { name: string; conv: GroupConv2D; stage: string } | undefined {
  for (const s of model.stages) {
    if (s.kind === 'conv')
      return { name: `layers.${s.index}`, conv: s.layer, stage: `layers.${s.index}` };
    if (s.kind === 'block')
      return { name: `layers.${s.index}.gconv1`, conv: s.block.gconv1, stage: `layers.${s.index}` };
  }
  return undefined;
}

/**
 * The separable kernels of `conv` (implementation `separable`): its depthwise spatial kernels per
 * output element (`[k, k, G·P, 1]`, rows = channels) and its H-kernels k^H_{o,c}(h_out⁻¹h_in):
 * the mixing `[Gin·Cin, Gout·Cout]` read at h_out = the first element (the identity), so each
 * channel pair (o, c) is a strip over the offsets h_in. Undefined for other implementations.
 */
export async function separableKernelSpecs(
  name: string,
  conv: GroupConv2D,
  elements: tf.Tensor2D,
  { axis, channels, cell }: KernelFigureOptions,
): Promise<{ spatial: HeatmapSpec; h: HeatmapSpec } | undefined> {
  const kernels = tf.tidy(() => conv.sampleKernels(elements, elements));
  try {
    if (kernels.implementation !== 'separable') return undefined;
    const [k, , gp] = kernels.spatial.shape;
    const G = axis.values.length;
    const [sv, mv] = (await Promise.all([kernels.spatial.data(), kernels.mixing.data()])) as [
      Float32Array,
      Float32Array,
    ];
    const P = gp / G;
    const cin = kernels.mixing.shape[0] / G;
    const cout = kernels.mixing.shape[1] / G;
    const rows = Math.min(channels, P);
    const spatialMaps = kernelMaps(rows, G, k * k, sv, (p, g, t) => t * gp + g * P + p);
    const [o, c] = [Math.min(channels, cout), Math.min(channels, cin)];
    // Strip of pair (o, c): mixing[g·Cin + c][0·Cout + o] for every input element g.
    const strips = kernelMaps(o, c, G, mv, (oi, ci, g) => (g * cin + ci) * (G * cout) + oi);
    const spatial: HeatmapSpec = {
      title: `Spatial kernels of ${name} (separable) at every group element`,
      notes: [
        `k^ℝ²_o(h⁻¹x): one per output channel, shared by all input channels (first ${rows} of ${P})`,
      ],
      ...byScale(
        spatialMaps.map((row, p) => ({ label: `channel ${p}`, maps: row })),
        axis,
      ),
      mapSize: [k, k],
      rowAxis: 'output channel',
      cell,
      colorbarLabel: 'kernel value',
    };
    const h: HeatmapSpec = {
      title: `H-kernels of ${name} (separable): one strip per channel pair over the group offsets`,
      notes: [
        `k^H_o,c(h_out⁻¹h_in): each strip runs over the offsets h_in = ${axis.labels[0]} … ${axis.labels.at(-1)} (left to right) at h_out = ${axis.labels[0]}`,
        `output channels 0–${o - 1} of ${cout} (rows) × input channels 0–${c - 1} of ${cin} (columns); one colour scale`,
      ],
      rows: strips.map((row, oi) => ({ label: `out ${oi}`, maps: row })),
      mapSize: [1, G],
      columnLabels: Array.from({ length: c }, (_, ci) => `in ${ci}`),
      columnAxis: 'input channel c (each strip: the group offsets)',
      rowAxis: 'output channel o',
      cell: Math.max(4, Math.min(cell, Math.floor(96 / G))),
      colorbarLabel: 'k^H value',
    };
    return { spatial, h };
  } finally {
    tf.dispose(Object.values(kernels).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
  }
}
