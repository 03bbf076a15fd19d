import { createRng, type GroupGrid, resolveGroupGrid } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';
import { liftingNetSpecs } from '../kernels/kernel-net-specs';
import { sampleLiftingFilter } from '../kernels/sample-lifting-filter';
import { assertImages } from '../layout';
import { addChannelBias } from '../ops/lean-activations';
import { liftingConv2d } from '../ops/lifting-conv2d';
import { ElementSampler } from './element-sampler';
import { KernelNetModule } from './kernel-net-module';
import {
  type ApplyOptions,
  type ConvLayerOptions,
  checkChannels,
  type GroupFeatures,
} from './layer-options';
import { Module } from './module';

/**
 * Lifting convolution layer: images `[batch, h, w, Cin]` → group features
 * `[batch, h′, w′, G, Cout]` on the sampled elements of H, with a continuous SIREN kernel
 * (weights `kernel.*`, optional `bias`). In inference the sampled filter is cached.
 */
export class LiftingConv2D extends Module {
  readonly options: ConvLayerOptions;
  readonly kernel: KernelNetModule;
  readonly bias: tf.Variable | null;
  /** The grid of the output elements. */
  readonly grid: GroupGrid;
  private readonly sampler: ElementSampler;
  private cache: { elements: tf.Tensor2D; filter: tf.Tensor4D } | null = null;

  constructor(options: ConvLayerOptions) {
    super();
    checkChannels('LiftingConv2D', options);
    this.options = options;
    this.grid = resolveGroupGrid(options.group.subgroup, options.sampleCount, 'LiftingConv2D');
    const rng = typeof options.seed === 'object' ? options.seed : createRng(options.seed ?? 0);
    const spec = liftingNetSpecs(options.inChannels, options.outChannels, options.kernelSize)
      .kernel!;
    this.kernel = this.addModule('kernel', new KernelNetModule(spec, options.kernelNet ?? {}, rng));
    this.bias = options.bias ? this.addWeight('bias', tf.zeros([options.outChannels])) : null;
    this.sampler = new ElementSampler(
      options.group.subgroup,
      this.grid,
      options.sampling ?? 'discretize',
    );
  }

  /** The filter `[k, k, Cin, G·Cout]` for output elements `[G, paramDim]`. */
  sampleFilter(elements: tf.Tensor2D): tf.Tensor4D {
    const { inChannels, outChannels } = this.options;
    return sampleLiftingFilter(elements, this.kernel, inChannels, outChannels, {
      group: this.options.group,
      kernelSize: this.options.kernelSize,
      grid: this.grid,
      compatibility: this.options.compatibility,
    });
  }

  apply(x: tf.Tensor4D, options: ApplyOptions = {}): GroupFeatures {
    assertImages('LiftingConv2D', x, this.options.inChannels);
    const training = options.training ?? false;
    const elements =
      options.outputElements ?? this.sampler.sample(training, options.rng, 'LiftingConv2D');
    let filter: tf.Tensor4D;
    if (training) {
      this.clearOwnCache();
      filter = this.sampleFilter(elements);
    } else {
      if (this.cache?.elements !== elements) {
        this.clearOwnCache();
        this.cache = { elements, filter: tf.keep(tf.tidy(() => this.sampleFilter(elements))) };
      }
      filter = this.cache.filter;
    }
    const features = tf.tidy(() => {
      let y = liftingConv2d(x, filter, elements.shape[0], {
        stride: this.options.stride,
        padding: this.options.padding,
      });
      if (this.bias) y = addChannelBias(y, this.bias as tf.Tensor1D);
      return y;
    });
    if (training) filter.dispose();
    return { features, elements };
  }

  protected override clearOwnCache(): void {
    this.cache?.filter.dispose();
    this.cache = null;
  }

  override dispose(): void {
    super.dispose();
    this.sampler.dispose();
  }
}
