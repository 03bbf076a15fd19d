import type { AffineGroup, GroupGrid, Rng, SampleCount, SamplingMethod } from '@gcnn/lie-groups';
import type * as tf from '@tensorflow/tfjs-core';
import type { Compatibility } from '../compatibility';
import type { Padding } from '../layout';
import type { KernelNetOptions } from './kernel-net-module';

/** Options shared by the lifting and group conv layers. */
export interface ConvLayerOptions {
  group: AffineGroup;
  /**
   * Sampled elements of H: `8`, or `[nRotations, nScales]` for Sim(2) (validated by the layer), or
   * a grid already resolved by `resolveGroupGrid` (as a model passes to all its layers).
   */
  sampleCount: SampleCount | GroupGrid;
  /** `discretize` (default) or `uniform`: a random rotation of the grid in training; inference uses the grid. */
  sampling?: SamplingMethod;
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  stride?: number;
  /** Default `'same'`. A number pads that many pixels on each side (the reference pads k//2). */
  padding?: Padding;
  /** A learnable bias per output channel, shared over the group (default false, as the reference). */
  bias?: boolean;
  kernelNet?: KernelNetOptions;
  /** `'gcnn'` (default) or `'reference'` numerics (see {@link Compatibility}). */
  compatibility?: Compatibility;
  /** Seed of the weight initialisation (default 0) or a generator shared by a model. */
  seed?: number | Rng;
}

/** Options of one forward call. */
export interface ApplyOptions {
  /** Training mode: kernels are re-sampled (and differentiable); inference caches them. */
  training?: boolean;
  /** Random source for `uniform` sampling in training. */
  rng?: Rng;
  /** Use these output elements instead of sampling (e.g. a residual block keeping its input grid). */
  outputElements?: tf.Tensor2D;
}

/** A feature map on the group together with the elements its group axis samples. */
export interface GroupFeatures {
  /** `[batch, height, width, group, channels]` */
  features: tf.Tensor5D;
  /** `[group, paramDim]` */
  elements: tf.Tensor2D;
}

export function checkChannels(op: string, options: ConvLayerOptions) {
  for (const key of ['inChannels', 'outChannels', 'kernelSize'] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 1) {
      throw new Error(`Error in ${op}: ${key} must be a positive integer, got ${options[key]}`);
    }
  }
}
