import type { SirenConfig, SirenWeights } from '@gcnn/kernel-nets';

/** A kernel net: SIREN weights and their config. */
export interface KernelNet {
  weights: SirenWeights;
  config: SirenConfig;
}
