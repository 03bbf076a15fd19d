import fc from 'fast-check';
import type { LieGroup, Subgroup } from '../lie-group';

/** Parameters of H for one element: `[θ]`, `[s]` or `[θ, s]`. */
function subgroupParams(kind: Subgroup['kind']): fc.Arbitrary<number[]> {
  const angle = fc.double({ min: 0, max: 2 * Math.PI - 1e-6, noNaN: true });
  // Log-uniform scales in [1/4, 4]: the range a G-CNN samples, with room for products.
  const scale = fc.double({ min: -Math.log(4), max: Math.log(4), noNaN: true }).map(Math.exp);
  if (kind === 'rotation') return angle.map((a) => [a]);
  if (kind === 'scale') return scale.map((s) => [s]);
  return fc.tuple(angle, scale).map(([a, s]) => [a, s]);
}

function kindOf(group: LieGroup): Subgroup['kind'] {
  const sub = (group as { subgroup?: Subgroup }).subgroup ?? (group as Subgroup);
  return sub.kind;
}

function isAffine(group: LieGroup): boolean {
  return (group as { subgroup?: Subgroup }).subgroup !== undefined;
}

/** One element's parameters (a plain array of length `group.paramDim`). */
export function arbitraryElement(group: LieGroup): fc.Arbitrary<number[]> {
  const h = subgroupParams(kindOf(group));
  if (!isAffine(group)) return h;
  const t = fc.double({ min: -3, max: 3, noNaN: true });
  return fc.tuple(t, t, h).map(([x, y, hp]) => [x, y, ...hp]);
}

/**
 * One tangent vector whose rotation part lies strictly inside the principal branch (−π, π), so
 * that `log(exp(v)) = v` holds.
 */
export function arbitraryTangent(group: LieGroup): fc.Arbitrary<number[]> {
  const kind = kindOf(group);
  const angle = fc.double({ min: -Math.PI + 1e-3, max: Math.PI - 1e-3, noNaN: true });
  const logScale = fc.double({ min: -1.3, max: 1.3, noNaN: true });
  const omega: fc.Arbitrary<number[]> =
    kind === 'rotation'
      ? angle.map((a) => [a])
      : kind === 'scale'
        ? logScale.map((l) => [l])
        : fc.tuple(angle, logScale).map(([a, l]) => [a, l]);
  if (!isAffine(group)) return omega;
  const v = fc.double({ min: -3, max: 3, noNaN: true });
  return fc.tuple(v, v, omega).map(([x, y, w]) => [x, y, ...w]);
}

/** A batch of `n` elements, flattened to `[n·paramDim]`. */
export function arbitraryElements(group: LieGroup, n: number): fc.Arbitrary<number[]> {
  return fc.array(arbitraryElement(group), { minLength: n, maxLength: n }).map((a) => a.flat());
}

/** A batch of `n` tangents, flattened to `[n·dof]`. */
export function arbitraryTangents(group: LieGroup, n: number): fc.Arbitrary<number[]> {
  return fc.array(arbitraryTangent(group), { minLength: n, maxLength: n }).map((a) => a.flat());
}

/** A batch of `n` points of R² in [−4, 4]², flattened to `[n·2]`. */
export function arbitraryPoints(n: number): fc.Arbitrary<number[]> {
  const c = fc.double({ min: -4, max: 4, noNaN: true });
  return fc.array(c, { minLength: 2 * n, maxLength: 2 * n });
}
