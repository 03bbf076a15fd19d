import type { SirenConfig, SirenWeights } from '@gcnn/kernel-nets';
import type { KernelNetInputs } from './kernel-net-inputs';

/** A kernel net: SIREN weights and their config. */
export interface KernelNet {
  weights: SirenWeights;
  config: SirenConfig;
  /**
   * Where the samplers keep the net's coordinates and masks between calls with the same
   * elements (optional: without it they are recomputed every call).
   */
  readonly inputs?: KernelNetInputs;
}
