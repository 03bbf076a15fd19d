import type { AffineGroup, SampleCount } from '@gcnn/lie-groups';
import type { Compatibility } from '../compatibility';

/** What every kernel sampler needs to know besides the elements and the kernel net. */
export interface KernelOptions {
  group: AffineGroup;
  /** Spatial kernel size k (odd, or 1). */
  kernelSize: number;
  /** How the elements were sampled, e.g. `8` or `[16, 3]`; gives the number of scales of Sim(2). */
  sampleCount: SampleCount;
  compatibility?: Compatibility;
}

/** The number of sampled scales (1 for SE(2)). */
export function numScales(options: KernelOptions): number {
  const kind = options.group.subgroup.kind;
  if (kind === 'rotation') return 1;
  if (kind === 'scale')
    return typeof options.sampleCount === 'number' ? options.sampleCount : options.sampleCount[1];
  return typeof options.sampleCount === 'number' ? options.sampleCount : options.sampleCount[1];
}

/** The number of sampled rotations (1 for R²⋊R⁺). */
export function numRotations(options: KernelOptions): number {
  const kind = options.group.subgroup.kind;
  if (kind === 'scale') return 1;
  return typeof options.sampleCount === 'number' ? options.sampleCount : options.sampleCount[0];
}

/** Half-width of the kernel lattice: 1 for SE(2); maxScale for the scale groups, so taps cover the largest dilation. */
export function latticeRadius(group: AffineGroup): number {
  return group.subgroup.kind === 'rotation' ? 1 : group.subgroup.maxScale;
}

export function isReference(options: KernelOptions): boolean {
  return options.compatibility === 'reference';
}
