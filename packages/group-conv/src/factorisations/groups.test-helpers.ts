import { type AffineGroup, R2xRplus, type SampleCount, SE2, Sim2 } from '@gcnn/lie-groups';

/**
 * The three groups of the factorisation tests with small grids: SE(2) with 4 rotations, R²⋊R⁺
 * with 3 scales, Sim(2) with 4 rotations × 2 scales.
 */
export const TEST_GROUPS: Array<[AffineGroup, SampleCount]> = [
  [SE2, 4],
  [R2xRplus({ maxScale: 2 }), 3],
  [Sim2({ maxScale: 1.74 }), [4, 2]],
];
