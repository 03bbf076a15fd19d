import type { LieGroup, Subgroup } from '../lie-group';

const ANGLES = [
  0,
  1e-7,
  Math.PI / 2,
  Math.PI - 1e-6,
  Math.PI,
  Math.PI + 1e-6,
  (3 * Math.PI) / 2,
  2 * Math.PI - 1e-7,
];

/**
 * Curated elements (Sophus style) as parameter rows: the identity, angles at 0, ±π and just below
 * 2π, exact quarter turns, and scales at the ends of the sampled range.
 */
export function edgeCaseElements(group: LieGroup): number[][] {
  const sub = (group as { subgroup?: Subgroup }).subgroup ?? (group as Subgroup);
  const m = sub.maxScale;
  const scales = [1, 1 + 1e-7, m, 1 / m, 0.5, 2];
  let rows: number[][];
  if (sub.kind === 'rotation') rows = ANGLES.map((a) => [a]);
  else if (sub.kind === 'scale') rows = scales.map((s) => [s]);
  else rows = ANGLES.flatMap((a, i) => [[a, scales[i % scales.length]!]]);
  if (sub === group) return rows;
  return rows.map((r, i) => [i % 2 === 0 ? 0 : 1.5, i % 3 === 0 ? 0 : -0.75, ...r]);
}
