import { initSiren, type SirenConfig, type SirenWeights } from '@gcnn/kernel-nets';
import type { Rng } from '@gcnn/lie-groups';
import type * as tf from '@tensorflow/tfjs-core';
import type { KernelNet } from '../kernels/kernel-net';
import { KernelNetInputs } from '../kernels/kernel-net-inputs';
import type { KernelNetSpec } from '../kernels/kernel-net-specs';
import { Module } from './module';

/** Width, depth and frequencies of the kernel nets of a layer (the reference's `ck_net_*` and ω₀ flags). */
export interface KernelNetOptions {
  /** SIREN width (default 32). */
  hiddenSize?: number;
  /** Hidden sine layers after the first (default 1). */
  numHidden?: number;
  /** ω₀′ of the first layer (default 10). */
  firstOmega0?: number;
  /** ω₀ of the hidden layers (default 10). */
  omega0?: number;
}

/**
 * A SIREN kernel net whose weights are variables named `sine.l.weight|bias`, `final.weight|bias`,
 * with the cache of its coordinates and masks (kept while the weights change; disposed with it).
 */
export class KernelNetModule extends Module implements KernelNet {
  readonly config: SirenConfig;
  readonly weights: SirenWeights;
  readonly inputs = new KernelNetInputs();

  constructor(spec: KernelNetSpec, options: KernelNetOptions, rng: Rng) {
    super();
    this.config = {
      inputDim: spec.inputDim,
      outputDim: spec.outputDim,
      hiddenSize: options.hiddenSize ?? 32,
      numHidden: options.numHidden ?? 1,
      firstOmega0: options.firstOmega0 ?? 10,
      omega0: options.omega0 ?? 10,
    };
    const init = initSiren(this.config, { rng, finalFanIn: spec.finalFanIn });
    this.weights = {
      sine: init.sine.map((layer, l) => ({
        weight: this.addWeight(`sine.${l}.weight`, layer.weight) as tf.Variable<tf.Rank.R2>,
        bias: this.addWeight(`sine.${l}.bias`, layer.bias) as tf.Variable<tf.Rank.R1>,
      })),
      final: {
        weight: this.addWeight('final.weight', init.final.weight) as tf.Variable<tf.Rank.R2>,
        bias: this.addWeight('final.bias', init.final.bias) as tf.Variable<tf.Rank.R1>,
      },
    };
  }

  override dispose(): void {
    super.dispose();
    this.inputs.dispose();
  }
}
