import { createRng, type GroupGrid, resolveGroupGrid } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';
import type { GroupConvFactorisation, GroupConvParams } from '../factorisations/factorisation';
import {
  type GroupConvKernels,
  groupConvFactorisation,
  type Implementation,
} from '../factorisations/registry';
import type { KernelNetRole } from '../kernels/kernel-net-specs';
import type { KernelOptions } from '../kernels/kernel-options';
import { assertGroupFeatures } from '../layout';
import {
  applyChannelEpilogue,
  type ChannelEpilogue,
  epilogueAfterBias,
} from '../ops/channel-epilogue';
import { addChannelBias } from '../ops/lean-activations';
import { ElementSampler } from './element-sampler';
import { KernelNetModule } from './kernel-net-module';
import {
  type ApplyOptions,
  type ConvLayerOptions,
  checkChannels,
  type GroupFeatures,
} from './layer-options';
import { Module } from './module';

export interface GroupConvLayerOptions extends ConvLayerOptions {
  /** Kernel factorisation (default `'nonseparable'`). */
  implementation?: Implementation;
}

/** Options of {@link GroupConv2D.apply}. */
export interface GroupConvApplyOptions extends ApplyOptions {
  /**
   * `relu?(y·scale + shift)` per output channel, applied to the output (after the bias): e.g. an
   * inference batch norm and its ReLU. Folded into the conv's last op where the factorisation
   * can ({@link GroupConv2D.foldsEpilogue}), else applied after it.
   */
  epilogue?: ChannelEpilogue;
}

/**
 * Group convolution layer on a group feature map `[batch, h, w, Gin, Cin]` →
 * `[batch, h′, w′, Gout, Cout]`, in any of the paper's factorisations. Weights: the kernel nets
 * by role (`kernel`, `kernelH`, `kernelRn`, `kernelSO2`, `kernelRplus`), `projection` `[Cin, Cout]`
 * for the d-variants, optional `bias`. In inference the sampled kernels are cached per
 * (input elements, output elements).
 */
export class GroupConv2D extends Module {
  readonly options: GroupConvLayerOptions;
  readonly implementation: Implementation;
  /** The factorisation named by `implementation`: its kernel nets, sampling and ops. */
  readonly factorisation: GroupConvFactorisation<Implementation, GroupConvKernels>;
  /** The grid of the output elements. */
  readonly grid: GroupGrid;
  readonly nets: Partial<Record<KernelNetRole, KernelNetModule>> = {};
  readonly projection: tf.Variable | null = null;
  readonly bias: tf.Variable | null;
  private readonly sampler: ElementSampler;
  private cache: { hOut: tf.Tensor2D; hIn: tf.Tensor2D; kernels: GroupConvKernels } | null = null;

  constructor(options: GroupConvLayerOptions) {
    super();
    checkChannels('GroupConv2D', options);
    this.options = options;
    this.factorisation = groupConvFactorisation(
      options.implementation ?? 'nonseparable',
      options.group,
      'GroupConv2D',
    );
    this.implementation = this.factorisation.name;
    this.grid = resolveGroupGrid(options.group.subgroup, options.sampleCount, 'GroupConv2D');
    const rng = typeof options.seed === 'object' ? options.seed : createRng(options.seed ?? 0);
    const { inChannels: cin, outChannels: cout, kernelSize: k } = options;
    const specs = this.factorisation.netSpecs(options.group, cin, cout, k);
    for (const role of ['kernel', 'kernelH', 'kernelSO2', 'kernelRplus', 'kernelRn'] as const) {
      const spec = specs[role];
      if (spec)
        this.nets[role] = this.addModule(
          role,
          new KernelNetModule(spec, options.kernelNet ?? {}, rng),
        );
    }
    if (this.factorisation.projection) {
      // kaiming-uniform(a = √5) on a [Cin, Cout] tensor, as the reference: U(±1/√Cout).
      const bound = 1 / Math.sqrt(cout);
      const values = Float32Array.from({ length: cin * cout }, () => (2 * rng.next() - 1) * bound);
      this.projection = this.addWeight('projection', tf.tensor2d(values, [cin, cout]));
    }
    this.bias = options.bias ? this.addWeight('bias', tf.zeros([cout])) : null;
    this.sampler = new ElementSampler(
      options.group.subgroup,
      this.grid,
      options.sampling ?? 'discretize',
    );
  }

  private kernelOptions(): KernelOptions {
    return {
      group: this.options.group,
      kernelSize: this.options.kernelSize,
      grid: this.grid,
      compatibility: this.options.compatibility,
    };
  }

  /** Samples this layer's kernels for output elements `hOut` and input elements `hIn`. */
  sampleKernels(hOut: tf.Tensor2D, hIn: tf.Tensor2D): GroupConvKernels {
    const params: GroupConvParams = {
      ...this.nets,
      projection: (this.projection as tf.Tensor2D | null) ?? undefined,
    };
    const { inChannels, outChannels } = this.options;
    return this.factorisation.sample(
      params,
      hOut,
      hIn,
      { inChannels, outChannels },
      this.kernelOptions(),
    );
  }

  /**
   * Whether an `epilogue` of {@link GroupConv2D.apply} runs inside the conv's last op (`separable`:
   * one fused depthwise conv instead of the conv, a batch norm and a ReLU).
   */
  get foldsEpilogue(): boolean {
    return this.factorisation.foldsEpilogue === true;
  }

  apply(input: GroupFeatures, options: GroupConvApplyOptions = {}): GroupFeatures {
    const { features: x, elements: hIn } = input;
    assertGroupFeatures('GroupConv2D', x, hIn.shape[0], this.options.inChannels);
    const training = options.training ?? false;
    const hOut =
      options.outputElements ?? this.sampler.sample(training, options.rng, 'GroupConv2D');
    let kernels: GroupConvKernels;
    if (training) {
      this.clearOwnCache();
      kernels = this.sampleKernels(hOut, hIn);
    } else {
      if (this.cache?.hOut !== hOut || this.cache.hIn !== hIn) {
        this.clearOwnCache();
        const sampled = tf.tidy(() => this.sampleKernels(hOut, hIn));
        keepAll(sampled);
        this.cache = { hOut, hIn, kernels: sampled };
      }
      kernels = this.cache.kernels;
    }
    const features = tf.tidy(() => {
      const bias = this.bias as tf.Tensor1D | null;
      const epilogue =
        options.epilogue && bias ? epilogueAfterBias(options.epilogue, bias) : options.epilogue;
      let y = this.factorisation.apply(x, kernels, {
        groupOut: hOut.shape[0],
        stride: this.options.stride,
        padding: this.options.padding,
        grid: this.grid,
        epilogue: this.foldsEpilogue ? epilogue : undefined,
      });
      if (bias && !epilogue) y = addChannelBias(y, bias);
      if (epilogue && !this.foldsEpilogue) y = applyChannelEpilogue(y, epilogue);
      return y;
    });
    if (training) disposeKernels(kernels);
    return { features, elements: hOut };
  }

  protected override clearOwnCache(): void {
    if (this.cache) disposeKernels(this.cache.kernels);
    this.cache = null;
  }

  override dispose(): void {
    super.dispose();
    this.sampler.dispose();
  }
}

function kernelTensors(kernels: GroupConvKernels): tf.Tensor[] {
  return Object.values(kernels).filter((v): v is tf.Tensor => v instanceof tf.Tensor);
}

function keepAll(kernels: GroupConvKernels) {
  for (const t of kernelTensors(kernels)) tf.keep(t);
}

function disposeKernels(kernels: GroupConvKernels) {
  for (const t of kernelTensors(kernels)) t.dispose();
}
