import type { AffineGroup, GroupGrid } from '@gcnn/lie-groups';
import type { Compatibility } from '../compatibility';

/** What every kernel sampler needs to know besides the elements and the kernel net. */
export interface KernelOptions {
  group: AffineGroup;
  /** Spatial kernel size k (odd, or 1). */
  kernelSize: number;
  /**
   * The grid the elements were sampled on (from `resolveGroupGrid`): its number of scales sets the
   * width of the scale-distance masks, and the "+2d" factorisations split it into rotations × scales.
   */
  grid: GroupGrid;
  compatibility?: Compatibility;
}

/** Half-width of the kernel lattice: 1 for SE(2); maxScale for the scale groups, so taps cover the largest dilation. */
export function latticeRadius(group: AffineGroup): number {
  return group.subgroup.kind === 'rotation' ? 1 : group.subgroup.maxScale;
}

export function isReference(options: KernelOptions): boolean {
  return options.compatibility === 'reference';
}
