import {
  type AffineGroup,
  type GroupGrid,
  resolveGroupGrid,
  rotate90,
  type SampleCount,
  transformImages,
} from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';
import type { GroupFeatures } from '../layers/layer-options';
import { rollRotations, rotateGroupFeatures } from './rotate-group-features';
import { centralDisk, smoothImages } from './smooth-images';

/** What a function or layer takes and returns. */
export type FeatureKind = 'image' | 'group' | 'invariant';

type Output = tf.Tensor | GroupFeatures;
/** A function of a tensor, or a layer with `apply` (group inputs are passed with the discretised elements). */
export type EquivariantFunction =
  | ((x: tf.Tensor) => Output)
  | { apply(x: tf.Tensor4D | GroupFeatures, options?: { training?: boolean }): Output };

export interface CheckEquivarianceOptions {
  /**
   * Sampled elements of H, e.g. `8` or `[8, 3]`, or a grid from `resolveGroupGrid`; sets the grid
   * of group inputs and outputs.
   */
  sampleCount: SampleCount | GroupGrid;
  /** `image` `[batch, h, w, C]` or `group` `[batch, h, w, G, C]`. */
  input: Exclude<FeatureKind, 'invariant'>;
  output: FeatureKind;
  /** Shape of the (random) input; h = w. */
  inputShape: number[];
  /**
   * `exact` (default): quarter turns k·90°, exact up to float round-off (needs R divisible by 4).
   * `approximate`: the `transforms` below on smooth inputs, compared inside a central disk.
   */
  mode?: 'exact' | 'approximate';
  /**
   * Approximate mode: group elements `{ rotations, scales }` as steps of the sampled grid (angle
   * = rotations·2π/R, scale = exp(scales·ln(maxScale)/(S−1))), or `{ angle, scale }` for invariant
   * outputs. Default: every rotation step of the grid (and one scale step each way for Sim(2)).
   */
  transforms?: Array<{ rotations?: number; scales?: number } | { angle: number; scale?: number }>;
  /** Radius of the compared disk as a fraction of the half-size (approximate mode, default 0.6). */
  diskFraction?: number;
  seed?: number;
}

export interface EquivarianceReport {
  /** Largest relative L2 error ‖f(g·x) − g·f(x)‖ / ‖g·f(x)‖ over the transforms. */
  maxError: number;
  errors: Array<{ transform: string; error: number }>;
}

/** Per transform, `[‖f(g·x) − g·f(x)‖, ‖g·f(x)‖]` (not yet read). */
type NormPairs = Array<{ transform: string; norms: tf.Tensor1D }>;

/** `[‖a − b‖, ‖b‖]` as a tensor, read later (asynchronously) by {@link reportOf}. */
function normPair(a: tf.Tensor, b: tf.Tensor): tf.Tensor1D {
  return tf.stack([tf.norm(tf.sub(a, b)), tf.norm(b)]) as tf.Tensor1D;
}

/** Reads the norm pairs with `await data()` (never synchronously) and disposes them. */
async function reportOf(pairs: NormPairs): Promise<EquivarianceReport> {
  try {
    const values = await Promise.all(pairs.map((p) => p.norms.data()));
    const errors = pairs.map(({ transform }, i) => {
      const num = values[i]![0]!;
      const den = values[i]![1]!;
      return { transform, error: den === 0 ? num : num / den };
    });
    return { maxError: Math.max(...errors.map((e) => e.error)), errors };
  } finally {
    tf.dispose(pairs.map((p) => p.norms));
  }
}

/**
 * Measures how far `layerOrFn` is from equivariant under the group (`@gcnn/group-conv/testing`,
 * escnn's `check_equivariance` idea), for users' own layers and models:
 *
 * - exact mode: f(R_k·x) against R_k·f(x) for quarter turns, where R_k acts on images by
 *   `rotate90` and on group features by `rotate90` plus a roll of the rotation index by k·R/4;
 * - approximate mode: arbitrary rotations/scales of smooth inputs (bilinear), compared in a
 *   central disk and, for scale shifts, on the scales present in both.
 *
 * Resolves to the errors; assert on them
 * (`expect((await checkEquivariance(...)).maxError).toBeLessThan(1e-5)`). Asynchronous because
 * it reads its results with `await data()`, never synchronously, so it runs on every backend,
 * webgpu in Node included (where `dataSync` is impossible). `layerOrFn` runs before the promise
 * is returned; only the read-back is awaited. Invalid options reject the promise.
 */
export async function checkEquivariance(
  layerOrFn: EquivariantFunction,
  group: AffineGroup,
  options: CheckEquivarianceOptions,
): Promise<EquivarianceReport> {
  const grid = resolveGroupGrid(group.subgroup, options.sampleCount, 'checkEquivariance');
  const elements = tf.keep(group.subgroup.sample(grid));
  const run = (x: tf.Tensor): tf.Tensor => {
    let out: Output;
    if (typeof layerOrFn === 'function') out = layerOrFn(x);
    else
      out = layerOrFn.apply(
        options.input === 'group' ? { features: x as tf.Tensor5D, elements } : (x as tf.Tensor4D),
        { training: false },
      );
    return out instanceof tf.Tensor ? out : out.features;
  };
  let pairs: NormPairs;
  try {
    pairs =
      (options.mode ?? 'exact') === 'exact'
        ? exact(run, grid, options)
        : approximate(run, group, grid, options);
  } finally {
    elements.dispose();
  }
  return reportOf(pairs);
}

function exact(
  run: (x: tf.Tensor) => tf.Tensor,
  grid: GroupGrid,
  options: CheckEquivarianceOptions,
): NormPairs {
  if (grid.nRotations % 4 !== 0 && (options.input === 'group' || options.output === 'group')) {
    throw new Error(
      `Error in checkEquivariance: exact mode needs nRotations divisible by 4, got ${grid.nRotations}`,
    );
  }
  const act = (t: tf.Tensor, kind: FeatureKind, k: number) =>
    kind === 'invariant'
      ? tf.clone(t)
      : kind === 'image'
        ? rotate90(t, k)
        : rotateGroupFeatures(t as tf.Tensor5D, k, grid);
  return tf.tidy(() => {
    const x = tf.randomUniform(options.inputShape, -1, 1, 'float32', options.seed ?? 0);
    const y = run(x);
    return [1, 2, 3].map((k) => ({
      transform: `rotate ${k * 90}°`,
      norms: normPair(run(act(x, options.input, k)), act(y, options.output, k)),
    }));
  });
}

/**
 * Shifts the scale index of a group feature map `[batch, h, w, R·S, C]` by `steps`:
 * `out[s] = in[s − steps]`; scales shifted in from outside the grid are zero (and not compared).
 */
function shiftScales(x: tf.Tensor5D, steps: number, grid: GroupGrid): tf.Tensor5D {
  if (steps === 0) return x;
  const { nRotations: R, nScales: S } = grid;
  const [b, h, w, , c] = x.shape;
  const byScale = tf.reshape(x, [b, h, w, R, S, c]);
  const shifted = tf.concat(
    Array.from({ length: S }, (_, s) =>
      s - steps >= 0 && s - steps < S
        ? tf.slice(byScale, [0, 0, 0, 0, s - steps, 0], [b, h, w, R, 1, c])
        : tf.zeros([b, h, w, R, 1, c]),
    ),
    4,
  );
  return tf.reshape(shifted, x.shape);
}

function approximate(
  run: (x: tf.Tensor) => tf.Tensor,
  group: AffineGroup,
  grid: GroupGrid,
  options: CheckEquivarianceOptions,
): NormPairs {
  const { nRotations: R, nScales: S } = grid;
  const kind = group.subgroup.kind;
  const logStep = S > 1 ? Math.log(group.subgroup.maxScale) / (S - 1) : 0;
  const defaults: CheckEquivarianceOptions['transforms'] = [];
  if (kind !== 'scale') for (let r = 1; r < R; r++) defaults.push({ rotations: r });
  if (kind !== 'rotation' && S > 1) defaults.push({ scales: 1 }, { scales: -1 });
  const transforms = options.transforms ?? defaults;
  const size = options.inputShape[1]!;
  return tf.tidy(() => {
    const [b] = options.inputShape;
    const channels = options.inputShape[options.inputShape.length - 1]!;
    let x: tf.Tensor = smoothImages(
      b!,
      size,
      options.input === 'group' ? grid.nRotations * grid.nScales * channels : channels,
      options.seed ?? 0,
    );
    if (options.input === 'group') x = tf.reshape(x, options.inputShape);
    const y = run(x);
    return transforms.map((t) => {
      const rotations = 'angle' in t ? t.angle / ((2 * Math.PI) / R) : (t.rotations ?? 0);
      const scales = 'angle' in t ? Math.log(t.scale ?? 1) / (logStep || 1) : (t.scales ?? 0);
      const angle = 'angle' in t ? t.angle : (rotations * 2 * Math.PI) / R;
      const scale = 'angle' in t ? (t.scale ?? 1) : Math.exp(scales * logStep);
      if (
        (options.input === 'group' || options.output === 'group') &&
        (!Number.isInteger(rotations) || !Number.isInteger(scales))
      ) {
        throw new Error(
          'Error in checkEquivariance: group inputs/outputs need transforms on the sampled grid (integer rotations/scales steps)',
        );
      }
      const h = kind === 'rotation' ? [angle] : kind === 'scale' ? [scale] : [angle, scale];
      const spatial = (t4: tf.Tensor) => {
        const shape = t4.shape;
        const flat = tf.reshape(t4, [shape[0]!, shape[1]!, shape[2]!, -1]) as tf.Tensor4D;
        return tf.reshape(transformImages(flat, group.subgroup, h), shape);
      };
      const shiftGroup = (t5: tf.Tensor) =>
        shiftScales(rollRotations(t5 as tf.Tensor5D, rotations, grid), scales, grid);
      const act = (t4: tf.Tensor, k: FeatureKind) =>
        k === 'invariant' ? t4 : k === 'image' ? spatial(t4) : shiftGroup(spatial(t4));
      const fx = run(act(x, options.input));
      const expected = act(y, options.output);
      let weight: tf.Tensor = tf.onesLike(expected);
      if (options.output !== 'invariant') {
        const outSize = expected.shape[1]!;
        const disk = centralDisk(outSize, options.diskFraction ?? 0.6);
        weight = tf.mul(
          weight,
          tf.reshape(disk, [1, outSize, outSize, ...expected.shape.slice(3).map(() => 1)]),
        );
        if (options.output === 'group' && scales !== 0) {
          const valid = Array.from({ length: R * S }, (_, g) => {
            const s = g % S;
            return s - scales >= 0 && s - scales < S ? 1 : 0;
          });
          weight = tf.mul(weight, tf.reshape(tf.tensor1d(valid), [1, 1, 1, R * S, 1]));
        }
      }
      const name =
        `${kind !== 'scale' ? `rotate ${((angle * 180) / Math.PI).toFixed(1)}°` : ''}${kind !== 'rotation' ? ` scale ${scale.toFixed(3)}` : ''}`.trim();
      return { transform: name, norms: normPair(tf.mul(fx, weight), tf.mul(expected, weight)) };
    });
  });
}
