/**
 * @file R²⋊R⁺, translations and dilations of the plane.
 *
 * | | |
 * |---|---|
 * | element | `[tx, ty, s]`, s > 0 |
 * | tangent | `[vx, vy, ln s]` |
 * | action on R² | `x ↦ s·x + t` |
 * | \|det\| | s² |
 * | subgroup H | {@link Rplus} |
 */
import type { AffineGroup } from './lie-group';
import { Rplus, type ScaleGroupOptions } from './rplus';
import { semidirectProduct } from './semidirect-product';

export function R2xRplus(options: ScaleGroupOptions): AffineGroup {
  return semidirectProduct('R2xRplus', Rplus(options));
}
