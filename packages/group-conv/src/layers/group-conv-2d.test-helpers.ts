import {
  type AffineGroup,
  type GroupGrid,
  resolveGroupGrid,
  type SampleCount,
} from '@gcnn/lie-groups';
import type * as tf from '@tensorflow/tfjs-core';
import type { Implementation } from '../factorisations/registry';
import { GroupConv2D } from './group-conv-2d';

/** A small seeded layer of the kernel tests, its resolved grid and that grid's elements. */
export function testGroupConv2D(
  implementation: Implementation,
  group: AffineGroup,
  count: SampleCount,
  sizes: { inChannels: number; outChannels: number; kernelSize: number; hiddenSize: number },
): { layer: GroupConv2D; grid: GroupGrid; elements: tf.Tensor2D } {
  const grid = resolveGroupGrid(group.subgroup, count);
  const layer = new GroupConv2D({
    group,
    sampleCount: grid,
    implementation,
    inChannels: sizes.inChannels,
    outChannels: sizes.outChannels,
    kernelSize: sizes.kernelSize,
    kernelNet: { hiddenSize: sizes.hiddenSize },
    seed: 1,
  });
  return { layer, grid, elements: group.subgroup.sample(grid) };
}
