/**
 * @file Sim(2) = R²⋊(SO(2)×R⁺), the similarity group of the plane.
 *
 * | | |
 * |---|---|
 * | element | `[tx, ty, θ, s]` |
 * | tangent | `[vx, vy, θ, ln s]` |
 * | action on R² | `x ↦ s·R(θ)·x + t` |
 * | \|det\| | s² (the reference uses s in some kernels; docs/decisions/0004-reference-deviations.md) |
 * | subgroup H | {@link SO2xRplus}, sampled as `[nRotations, nScales]`, rotation-major |
 */
import type { AffineGroup } from './lie-group';
import type { ScaleGroupOptions } from './rplus';
import { semidirectProduct } from './semidirect-product';
import { SO2xRplus } from './so2xrplus';

export function Sim2(options: ScaleGroupOptions): AffineGroup {
  return semidirectProduct('Sim2', SO2xRplus(options));
}
