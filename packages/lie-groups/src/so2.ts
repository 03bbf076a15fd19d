/**
 * @file SO(2), the rotation group of the plane.
 *
 * | | |
 * |---|---|
 * | element | `[θ]`, θ ∈ [0, 2π) radians (compose/inverse/exp wrap into that range) |
 * | tangent | `[θ]` (log returns the principal angle in (−π, π]) |
 * | action on R² | `x ↦ R(θ)·x` |
 * | \|det\| | 1 |
 * | sampling | equispaced θ_k = 2πk/N; `uniform` rotates the grid by one random offset |
 */
import { RotationScaleGroup } from './internal/rotation-scale-group';
import type { Subgroup } from './lie-group';

export const SO2: Subgroup = new RotationScaleGroup('SO2', 'rotation', 1);
