/**
 * @file SE(2) = R²⋊SO(2), rigid motions of the plane.
 *
 * | | |
 * |---|---|
 * | element | `[tx, ty, θ]`, θ ∈ [0, 2π) |
 * | tangent | `[vx, vy, θ]` |
 * | action on R² | `x ↦ R(θ)·x + t` |
 * | \|det\| | 1 |
 * | subgroup H | {@link SO2} (the group axis of feature maps samples H; translations are the conv) |
 */
import type { AffineGroup } from './lie-group';
import { semidirectProduct } from './semidirect-product';
import { SO2 } from './so2';

export const SE2: AffineGroup = semidirectProduct('SE2', SO2);
