import type { AffineGroup } from '@gcnn/lie-groups';
import type { Implementation } from '../implementation';

/** Input and output size of one kernel net and the fan-in its final layer is initialised with. */
export interface KernelNetSpec {
  inputDim: number;
  outputDim: number;
  /** fan-in of the reference's final-layer init, `inChannels·ks²` (reference §3.5, §9.10). */
  finalFanIn: number;
}

export type KernelNetRole = 'kernel' | 'kernelH' | 'kernelRn' | 'kernelSO2' | 'kernelRplus';

/** The kernel nets of a lifting conv: one, 2 → Cout·Cin. */
export function liftingNetSpecs(
  cin: number,
  cout: number,
  k: number,
): Partial<Record<KernelNetRole, KernelNetSpec>> {
  return { kernel: { inputDim: 2, outputDim: cout * cin, finalFanIn: cin * k * k } };
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
): Partial<Record<KernelNetRole, KernelNetSpec>> {
  const dof = group.subgroup.dof;
  const kind = group.subgroup.kind;
  // The reference initialises some H-nets with ks = k (R²⋊R⁺ separable, Sim(2) separable/gseparable).
  const hKs =
    (kind === 'scale' && implementation === 'separable') ||
    (kind === 'rotation-scale' && implementation !== 'dgseparable')
      ? k
      : 1;
  switch (implementation) {
    case 'nonseparable':
      return { kernel: { inputDim: 2 + dof, outputDim: cout * cin, finalFanIn: cin * k * k } };
    case 'dseparable':
      return { kernel: { inputDim: 2 + dof, outputDim: cout, finalFanIn: k * k } };
    case 'separable':
      return {
        kernelH: { inputDim: dof, outputDim: cout * cin, finalFanIn: cin * hKs * hKs },
        kernelRn: { inputDim: 2, outputDim: cout, finalFanIn: k * k },
      };
    case 'gseparable':
      return {
        kernelH: { inputDim: dof, outputDim: cout * cin, finalFanIn: cin * hKs * hKs },
        kernelRn: { inputDim: 2, outputDim: cout * cin, finalFanIn: cin * k * k },
      };
    case 'dgseparable':
      return {
        kernelH: { inputDim: dof, outputDim: cout, finalFanIn: 1 },
        kernelRn: { inputDim: 2, outputDim: cout, finalFanIn: k * k },
      };
    case 'separable+2d':
      return {
        kernelSO2: { inputDim: 1, outputDim: cout * cin, finalFanIn: cin },
        kernelRplus: { inputDim: 1, outputDim: cout, finalFanIn: 1 },
        kernelRn: { inputDim: 2, outputDim: cout, finalFanIn: k * k },
      };
    case 'gseparable+2d':
      return {
        kernelSO2: { inputDim: 1, outputDim: cout * cin, finalFanIn: cin },
        kernelRplus: { inputDim: 1, outputDim: cout * cin, finalFanIn: cin },
        kernelRn: { inputDim: 2, outputDim: cout * cin, finalFanIn: cin * k * k },
      };
  }
}
