import type * as tf from '@tensorflow/tfjs-core';
import type { GroupGrid } from './group-grid';
import type { Rng } from './random/rng';

/** How a subgroup H is sampled (reference §2.3): the fixed grid, or a random rotation of it. */
export const SAMPLING_METHODS = ['discretize', 'uniform'] as const;
export type SamplingMethod = (typeof SAMPLING_METHODS)[number];

/**
 * Number of sampled elements of H: an integer, or `[nRotations, nScales]` for SO(2)×R⁺ (the
 * product is ordered rotation-major: element `r·nScales + s`).
 */
export type SampleCount = number | readonly [number, number];

export interface SampleOptions {
  /** `discretize` (default): the fixed grid. `uniform`: the grid shifted by one random offset. */
  method?: SamplingMethod;
  /** Source of randomness for `uniform`; required for that method so runs stay reproducible. */
  rng?: Rng;
}

/**
 * A matrix Lie group whose elements are tensors with a trailing parameter axis `[..., paramDim]`
 * and whose tangent vectors have a trailing axis `[..., dof]`. All operations broadcast over the
 * leading axes and are pure (they return new tensors; wrap calls in `tf.tidy`).
 */
export interface LieGroup {
  /** Name used in configs and error messages, e.g. `'SE2'`. */
  readonly name: string;
  /** Length of the trailing parameter axis of an element. */
  readonly paramDim: number;
  /** Dimension of the group (length of a tangent vector). */
  readonly dof: number;
  /** The identity, broadcast to `[...batchShape, paramDim]`. */
  identity(batchShape?: number[]): tf.Tensor;
  /** Group product `a·b`. */
  compose(a: tf.Tensor, b: tf.Tensor): tf.Tensor;
  /** Inverse `g⁻¹`. */
  inverse(g: tf.Tensor): tf.Tensor;
  /** Exponential map from tangent `[..., dof]` to elements `[..., paramDim]`. */
  exp(tangent: tf.Tensor): tf.Tensor;
  /** Logarithm on the principal branch (angles in (−π, π]). */
  log(g: tf.Tensor): tf.Tensor;
  /** Matrix representation: `[..., 2, 2]` for subgroups, homogeneous `[..., 3, 3]` for affine groups. */
  matrix(g: tf.Tensor): tf.Tensor;
  /** Left action on points of R²: `[..., paramDim] × [..., 2] → [..., 2]` (broadcast). */
  act(g: tf.Tensor, points: tf.Tensor): tf.Tensor;
  /** |det| of the action on R² (the Jacobian of `act`): 1 for rotations, s² for dilations. */
  det(g: tf.Tensor): tf.Tensor;
  /** Deterministic elements for tests; include exact multiples of 90° where the group rotates. */
  testingElements(): tf.Tensor;
}

/** The subgroup H ⊂ GL(2) of an affine group R²⋊H: rotations, dilations, or both. */
export interface Subgroup extends LieGroup {
  readonly kind: 'rotation' | 'scale' | 'rotation-scale';
  /** Largest sampled scale (1 for SO(2)). */
  readonly maxScale: number;
  /** `h⁻¹x`, computed directly as `(1/s)·R(−θ)·x`, the kernel-net input of every spatial kernel. */
  inverseAct(h: tf.Tensor, points: tf.Tensor): tf.Tensor;
  /** Left action of H on itself, `g·h` (the same as `compose`). */
  actOnH(g: tf.Tensor, h: tf.Tensor): tf.Tensor;
  /**
   * Coordinates fed to kernel nets for the relative element `log(h_out⁻¹·h_in)`:
   * `[Gout, paramDim] × [Gin, paramDim] → [Gout, Gin, dof]`. Angle offsets are taken in [0, 2π)
   * and mapped affinely to [−1, 1) (`Δθ/π − 1`, identity ↦ −1); log-scale offsets `ln(s_in/s_out)`
   * are raw. This is the reference's normalisation (docs/concepts/notation.md).
   */
  relativeCoordinates(hOut: tf.Tensor, hIn: tf.Tensor): tf.Tensor;
  /**
   * Sampled elements `[G, paramDim]` on a grid from {@link resolveGroupGrid}, or on the grid of
   * a sample count (reference §2.3).
   */
  sample(grid: GroupGrid | SampleCount, options?: SampleOptions): tf.Tensor2D;
}

/** An affine group R²⋊H with elements `[tx, ty, ...h]`. */
export interface AffineGroup extends LieGroup {
  readonly subgroup: Subgroup;
}
