import { GroupBatchNorm, GroupConv2D, LiftingConv2D } from '@gcnn/group-conv';
import {
  type AffineGroup,
  type GroupGrid,
  groupByName,
  type Rng,
  resolveGroupGrid,
} from '@gcnn/lie-groups';
import type { ModelConfig } from '../model-config';
import type { Stage } from './stage';

/** What every conv of a model shares: group, elements, factorisation, kernel nets, numerics, init. */
export interface LayerFactory {
  readonly config: ModelConfig;
  readonly group: AffineGroup;
  /** The grid of every layer's elements, resolved once from `config.sampleCount`. */
  readonly grid: GroupGrid;
  readonly rng: Rng;
  lifting(outChannels: number, padding: number): LiftingConv2D;
  groupConv(options: {
    inChannels: number;
    outChannels: number;
    kernelSize: number;
    stride: number;
    padding: number;
    kernelNetHiddenSize?: number;
  }): GroupConv2D;
  /** The model-level normalisation stage at `layers.<index>` (BatchNorm has weights). */
  norm(index: number, channels: number): Stage;
}

/**
 * The layer constructors of a model: every conv gets the config's group, grid, sampling,
 * factorisation, kernel-net sizes and numerics, and draws its initial weights from `rng` (so one
 * seed fixes the whole model, in construction order).
 */
export function layerFactory(config: ModelConfig, rng: Rng): LayerFactory {
  const group = groupByName({ name: config.group, maxScale: config.maxScale });
  const grid = resolveGroupGrid(group.subgroup, config.sampleCount, 'layerFactory');
  const common = {
    group,
    sampleCount: grid,
    sampling: config.sampling,
    compatibility: config.compatibility ?? 'gcnn',
    seed: rng,
  } as const;
  const kernelNet = (hiddenSize = config.kernelNet.hiddenSize) => ({
    hiddenSize,
    numHidden: config.kernelNet.numHidden,
    firstOmega0: config.kernelNet.firstOmega0,
    omega0: config.kernelNet.omega0,
  });
  return {
    config,
    group,
    grid,
    rng,
    lifting: (outChannels, padding) =>
      new LiftingConv2D({
        ...common,
        inChannels: config.inChannels,
        outChannels,
        kernelSize: config.kernelSize,
        stride: 1,
        padding,
        kernelNet: kernelNet(),
      }),
    groupConv: (o) =>
      new GroupConv2D({
        ...common,
        implementation: config.implementation,
        inChannels: o.inChannels,
        outChannels: o.outChannels,
        kernelSize: o.kernelSize,
        stride: o.stride,
        padding: o.padding,
        kernelNet: kernelNet(o.kernelNetHiddenSize),
      }),
    norm: (index, channels) =>
      config.normalization === 'batchnorm'
        ? { kind: 'batchnorm', index, norm: new GroupBatchNorm({ channels }) }
        : { kind: config.normalization, index },
  };
}

/** Widths multiplied by the widen factor and truncated, as the reference's `int(widen_factor * h)`. */
export function widen(sizes: readonly number[], widenFactor = 1): number[] {
  return sizes.map((h) => Math.trunc(widenFactor * h));
}
