import type { AffineGroup, GroupGrid, Subgroup } from '@gcnn/lie-groups';
import type * as tf from '@tensorflow/tfjs-core';
import type { KernelNet } from '../kernels/kernel-net';
import type { KernelNetSpecs } from '../kernels/kernel-net-specs';
import type { KernelOptions } from '../kernels/kernel-options';
import type { ConvMemoryDims, ConvTrainingMemory } from '../memory/layer-memory';
import type { ChannelEpilogue } from '../ops/channel-epilogue';
import type { ConvOptions } from '../ops/conv-options';

/** The learnable parts of a group conv: kernel nets by role, and the channel projection of the d-variants. */
export interface GroupConvParams {
  /** Non-separable kernel net (`nonseparable`, `dseparable`). */
  kernel?: KernelNet;
  /** Subgroup kernel net k^H (`separable`, `gseparable`, `dgseparable`). */
  kernelH?: KernelNet;
  /** Spatial kernel net k^{R²} (all separable variants). */
  kernelRn?: KernelNet;
  /** Rotation kernel net k^{SO2} ("+2d"). */
  kernelSO2?: KernelNet;
  /** Scale kernel net k^{R⁺} ("+2d"). */
  kernelRplus?: KernelNet;
  /** Channel projection `[Cin, Cout]` (`dseparable`, `dgseparable`). */
  projection?: tf.Tensor2D;
}

/** Input and output channels of a group conv `[.., Gin, Cin] → [.., Gout, Cout]`. */
export interface ConvChannels {
  inChannels: number;
  outChannels: number;
}

export interface ApplyGroupConvOptions extends ConvOptions {
  /** Number of output elements Gout. */
  groupOut: number;
  /** The grid of the elements (the "+2d" factorisations need its rotations × scales). */
  grid: GroupGrid;
  /**
   * Applied to the output (inference: a batch norm and ReLU folded in); only passed to a
   * factorisation that {@link GroupConvFactorisation.foldsEpilogue | folds} it.
   */
  epilogue?: ChannelEpilogue;
}

/**
 * One kernel factorisation of the paper (Knigge et al. 2022), everything it means in one object:
 * the kernel nets it learns (with the reference's sizes and final-layer fan-ins, §3.5, so
 * parameter counts and initialisation match), how it samples them into kernels of its own type,
 * and which ops of `ops/` apply those kernels. The registry (`registry.ts`) holds one per name.
 */
export interface GroupConvFactorisation<
  Name extends string = string,
  Kernels extends { implementation: Name } = { implementation: Name },
> {
  /** The reference's `--implementation` name. */
  readonly name: Name;
  /** The kernel k_{o,c}(x, h) it learns, e.g. `k^H_{o,c}(h)·k^{R²}_o(x)`. */
  readonly kernel: string;
  /** The subgroups H it works on (e.g. only SO(2)×R⁺ for the "+2d" variants). */
  readonly subgroups: readonly Subgroup['kind'][];
  /** Whether it learns a channel projection w_{o,c} `[Cin, Cout]` (the d-variants). */
  readonly projection: boolean;
  /**
   * Whether `apply` applies `options.epilogue` itself, folded into its last op; GroupConv2D
   * applies the epilogue after the ops of the others.
   */
  readonly foldsEpilogue?: boolean;
  /** Its kernel nets by role, for a conv `Cin → Cout` with kernel size k. */
  netSpecs(group: AffineGroup, inChannels: number, outChannels: number, k: number): KernelNetSpecs;
  /**
   * Samples its kernels for output elements `hOut` and input elements `hIn` (`[G, paramDim]`), in
   * the layouts its ops take; what the factorisation avoids stays unmaterialised.
   */
  sample(
    params: GroupConvParams,
    hOut: tf.Tensor2D,
    hIn: tf.Tensor2D,
    channels: ConvChannels,
    options: KernelOptions,
  ): Kernels;
  /** Runs its ops: `[batch, h, w, Gin, Cin]` → `[batch, h′, w′, Gout, Cout]`. */
  apply(x: tf.Tensor5D, kernels: Kernels, options: ApplyGroupConvOptions): tf.Tensor5D;
  /**
   * What a training step keeps for one conv of this factorisation: the maps its ops keep and
   * allocate per batch row (read off the ops, in units of `convMaps`; checked against measured
   * buffer peaks by `@gcnn/models`' estimate-step-bytes tests) and the kernel nets it evaluates.
   */
  trainingMemory(dims: ConvMemoryDims): ConvTrainingMemory;
}

/** Every kind of subgroup: the `subgroups` of a factorisation that works on SE(2), R²⋊R⁺ and Sim(2). */
export const EVERY_SUBGROUP: readonly Subgroup['kind'][] = ['rotation', 'scale', 'rotation-scale'];

/** `params[role]`, or an error naming the factorisation and the missing part. */
export function requireParam<K extends keyof GroupConvParams>(
  params: GroupConvParams,
  implementation: string,
  name: K,
): NonNullable<GroupConvParams[K]> {
  const value = params[name];
  if (value === undefined)
    throw new Error(`Error in sampleGroupConvKernels: '${implementation}' needs params.${name}`);
  return value as NonNullable<GroupConvParams[K]>;
}

/** The stride and padding of apply options, as the ops take them. */
export function convOptions(options: ApplyGroupConvOptions): ConvOptions {
  return { stride: options.stride, padding: options.padding };
}
