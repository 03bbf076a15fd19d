/**
 * @file R⁺, the group of planar dilations (positive scalings).
 *
 * | | |
 * |---|---|
 * | element | `[s]`, s > 0 |
 * | tangent | `[ln s]` |
 * | action on R² | `x ↦ s·x` |
 * | \|det\| | s² |
 * | sampling | log-uniform grid s_k = exp(linspace(0, ln maxScale, N)) in [1, maxScale] |
 */
import { RotationScaleGroup } from './internal/rotation-scale-group';
import type { Subgroup } from './lie-group';

export interface ScaleGroupOptions {
  /** Largest sampled scale (≥ 1); the reference's `--max_scale`. */
  maxScale: number;
}

export function Rplus(options: ScaleGroupOptions): Subgroup {
  return new RotationScaleGroup('Rplus', 'scale', options?.maxScale);
}
