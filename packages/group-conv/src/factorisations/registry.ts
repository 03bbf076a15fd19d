import type { AffineGroup, GroupName, Subgroup } from '@gcnn/lie-groups';
import type * as tf from '@tensorflow/tfjs-core';
import type { KernelNetSpecs } from '../kernels/kernel-net-specs';
import type { KernelOptions } from '../kernels/kernel-options';
import { dgseparable } from './dgseparable';
import { dseparable } from './dseparable';
import type {
  ApplyGroupConvOptions,
  GroupConvFactorisation,
  GroupConvParams,
} from './factorisation';
import { gseparable } from './gseparable';
import { gSeparable2d } from './gseparable-2d';
import { nonseparable } from './nonseparable';
import { separable } from './separable';
import { separable2d } from './separable-2d';

/**
 * The kernel factorisations of the paper (Knigge et al. 2022) by the reference's
 * `--implementation` name, one file each (see docs/concepts/separability.md for how they relate
 * to tfjs's `separableConv2d`, which is depthwise + pointwise and something else). A new
 * factorisation is a new file and one line here.
 */
export const FACTORISATIONS = Object.freeze({
  nonseparable,
  separable,
  gseparable,
  dseparable,
  dgseparable,
  'separable+2d': separable2d,
  'gseparable+2d': gSeparable2d,
});

/** The affine group R²⋊H of each kind of subgroup H, for messages. */
const GROUP_OF_SUBGROUP: Record<Subgroup['kind'], GroupName> = {
  rotation: 'SE2',
  scale: 'R2xRplus',
  'rotation-scale': 'Sim2',
};

/** A factorisation's name: `'nonseparable' | 'separable' | … | 'gseparable+2d'`. */
export type Implementation = keyof typeof FACTORISATIONS;

/** Every factorisation's name, in the registry's order. */
export const IMPLEMENTATIONS = Object.freeze(Object.keys(FACTORISATIONS) as Implementation[]);

/** Sampled kernels of one group conv, typed per factorisation (`implementation` tells which). */
export type GroupConvKernels = ReturnType<(typeof FACTORISATIONS)[Implementation]['sample']>;

/**
 * The factorisation named `implementation`, checked against the group: the one validation of a
 * factorisation name. `op` names the caller in the error, e.g.
 * `Error in GroupConv2D: implementation 'separable+2d' needs group 'Sim2', got 'SE2'`.
 */
export function groupConvFactorisation(
  implementation: unknown,
  group: AffineGroup,
  op = 'groupConvFactorisation',
): GroupConvFactorisation<Implementation, GroupConvKernels> {
  if (typeof implementation !== 'string' || !Object.hasOwn(FACTORISATIONS, implementation)) {
    throw new Error(
      `Error in ${op}: implementation must be one of ${IMPLEMENTATIONS.join(', ')}, got ${JSON.stringify(implementation)}`,
    );
  }
  const factorisation = FACTORISATIONS[implementation as Implementation];
  if (!factorisation.subgroups.includes(group.subgroup.kind)) {
    const groups = factorisation.subgroups.map((kind) => `'${GROUP_OF_SUBGROUP[kind]}'`);
    throw new Error(
      `Error in ${op}: implementation '${implementation}' needs group ${groups.join(' or ')}, got '${group.name}'`,
    );
  }
  return factorisation as unknown as GroupConvFactorisation<Implementation, GroupConvKernels>;
}

/**
 * The kernel nets of a group conv, by role, with the reference's sizes (§3.5) so parameter counts
 * and initialisation match it.
 */
export function groupConvNetSpecs(
  implementation: Implementation,
  group: AffineGroup,
  cin: number,
  cout: number,
  k: number,
): KernelNetSpecs {
  return FACTORISATIONS[implementation].netSpecs(group, cin, cout, k);
}

/**
 * Samples the kernels of a group conv `[.., Gin, Cin] → [.., Gout, Cout]` for output elements
 * `hOut` and input elements `hIn` (`[G, paramDim]`), in the layouts the ops take. Everything the
 * factorisation avoids stays unmaterialised: the separable variants never build the
 * `[k, k, Gin·Cin, Gout·Cout]` kernel.
 */
export function sampleGroupConvKernels(
  implementation: Implementation,
  params: GroupConvParams,
  hOut: tf.Tensor2D,
  hIn: tf.Tensor2D,
  inChannels: number,
  outChannels: number,
  options: KernelOptions,
): GroupConvKernels {
  const factorisation = FACTORISATIONS[implementation] as GroupConvFactorisation<
    Implementation,
    GroupConvKernels
  >;
  return factorisation.sample(params, hOut, hIn, { inChannels, outChannels }, options);
}

/** Runs the ops that match sampled kernels: `[batch, h, w, Gin, Cin]` → `[batch, h′, w′, Gout, Cout]`. */
export function applyGroupConvKernels(
  x: tf.Tensor5D,
  kernels: GroupConvKernels,
  options: ApplyGroupConvOptions,
): tf.Tensor5D {
  const factorisation = FACTORISATIONS[kernels.implementation] as GroupConvFactorisation<
    Implementation,
    GroupConvKernels
  >;
  return factorisation.apply(x, kernels, options);
}
