import type { SampleCount, Subgroup } from './lie-group';

/**
 * The grid on which a subgroup H is sampled: R rotations × S scales, ordered rotation-major
 * (element `r·S + s`). It is everything the layers need to know about "how many elements": the
 * length of the group axis (`size`), the angle step 2π/R and the log-scale step of the grid, the
 * range of `uniform`'s random offset (a rotation by up to 2π(R−1)/R² for SO(2) and SO(2)×R⁺, a
 * log-scale shift by up to ln(maxScale)/S for R⁺), and the width ln(maxScale)/S of the
 * scale-distance masks. Made once by {@link resolveGroupGrid}, then passed down as is.
 */
export interface GroupGrid {
  /** The kind of subgroup the grid was resolved for (a grid only fits a subgroup of its kind). */
  readonly kind: Subgroup['kind'];
  /** R, the number of sampled rotations (1 for R⁺). */
  readonly nRotations: number;
  /** S, the number of sampled scales (1 for SO(2)). */
  readonly nScales: number;
  /** G = R·S, the length of the group axis of a feature map `[batch, h, w, G, C]`. */
  readonly size: number;
  /** The count the grid was resolved from, as configs store it: `8` or `[16, 3]`. */
  readonly sampleCount: SampleCount;
}

const isPositiveInteger = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 1;

function isGroupGrid(value: unknown): value is GroupGrid {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Turns a sample count into the grid of `subgroup`, validating it; the one place where a count is
 * decoded. An integer n means n rotations (SO(2)), n scales (R⁺) or n rotations × n scales
 * (SO(2)×R⁺, as the reference); `[nRotations, nScales]` is for SO(2)×R⁺ only; `[n]` (a one-value
 * command-line list) is n. A grid already resolved for a subgroup of the same kind is returned as
 * is. `op` names the caller in the error, e.g.
 * `Error in GroupConv2D: sampleCount must be a positive integer, got 0`.
 *
 * @example resolveGroupGrid(Sim2({ maxScale: 1.74 }).subgroup, [16, 3]) // { nRotations: 16, nScales: 3, size: 48, … }
 */
export function resolveGroupGrid(
  subgroup: Pick<Subgroup, 'kind' | 'name'>,
  sampleCount: SampleCount | readonly number[] | GroupGrid,
  op = 'resolveGroupGrid',
): GroupGrid {
  function fail(message: string): never {
    throw new Error(`Error in ${op}: ${message}`);
  }
  if (isGroupGrid(sampleCount)) {
    if (sampleCount.kind !== subgroup.kind)
      fail(`the grid was resolved for a '${sampleCount.kind}' subgroup, not ${subgroup.name}`);
    return sampleCount;
  }
  const count =
    Array.isArray(sampleCount) && sampleCount.length === 1 ? sampleCount[0] : sampleCount;
  if (!Array.isArray(count)) {
    if (!isPositiveInteger(count))
      fail(`sampleCount must be a positive integer, got ${JSON.stringify(count)}`);
    if (subgroup.kind === 'rotation') return grid(subgroup.kind, count, 1, count);
    if (subgroup.kind === 'scale') return grid(subgroup.kind, 1, count, count);
    return grid(subgroup.kind, count, count, count);
  }
  if (subgroup.kind !== 'rotation-scale')
    fail(
      `sampleCount [nRotations, nScales] is only for group 'Sim2' (H = SO(2)×R⁺); ${subgroup.name} takes an integer, got ${JSON.stringify(count)}`,
    );
  const [r, s] = count;
  if (count.length !== 2 || !isPositiveInteger(r) || !isPositiveInteger(s))
    fail(
      `sampleCount must be a positive integer or [nRotations, nScales] of positive integers, got ${JSON.stringify(count)}`,
    );
  return grid(subgroup.kind, r, s, [r, s]);
}

function grid(
  kind: Subgroup['kind'],
  nRotations: number,
  nScales: number,
  sampleCount: SampleCount,
): GroupGrid {
  return Object.freeze({ kind, nRotations, nScales, size: nRotations * nScales, sampleCount });
}
