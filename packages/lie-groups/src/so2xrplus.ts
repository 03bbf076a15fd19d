/**
 * @file SO(2)×R⁺, rotations and dilations of the plane (a direct product; the two commute).
 *
 * | | |
 * |---|---|
 * | element | `[θ, s]`, θ ∈ [0, 2π), s > 0 |
 * | tangent | `[θ, ln s]` |
 * | action on R² | `x ↦ s·R(θ)·x` |
 * | \|det\| | s² |
 * | sampling | `[nRotations, nScales]` product grid, rotation-major (element `r·nScales + s`); rotations follow the method, scales are always discretised (reference §2.3) |
 */
import { RotationScaleGroup } from './internal/rotation-scale-group';
import type { Subgroup } from './lie-group';
import type { ScaleGroupOptions } from './rplus';

export function SO2xRplus(options: ScaleGroupOptions): Subgroup {
  return new RotationScaleGroup('SO2xRplus', 'rotation-scale', options?.maxScale);
}
