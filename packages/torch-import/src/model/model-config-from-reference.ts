import type { Compatibility } from '@gcnn/group-conv';
import { type ModelConfig, validateModelConfig } from '@gcnn/models';
import type { ReferenceHyperparameters } from './reference-hyperparameters';

/**
 * The gcnn {@link ModelConfig} of a reference model's hyperparameters (reference names → gcnn
 * fields: `num_group_elem` → `sampleCount`, `discretise` → `discretize`, `spatial_in_size` →
 * `imageSize`, `out_channels` → `numClasses`, `ck_net_*`/`*omega_0` → `kernelNet`, …), with
 * `compatibility` (default `'reference'`: the reference's numerics, so its weights give its
 * logits) and seed 0 (the weights come from the checkpoint). Validated with `validateModelConfig`.
 */
export function modelConfigFromReference(
  h: ReferenceHyperparameters,
  compatibility: Compatibility = 'reference',
): ModelConfig {
  const config: ModelConfig = {
    model: h.model,
    group: h.group,
    ...(h.group !== 'SE2' && h.max_scale !== null ? { maxScale: h.max_scale } : {}),
    sampleCount: Array.isArray(h.num_group_elem)
      ? [h.num_group_elem[0], h.num_group_elem[1]]
      : h.num_group_elem,
    sampling: h.sampling_method === 'discretise' ? 'discretize' : 'uniform',
    implementation: h.implementation,
    inChannels: h.in_channels,
    imageSize: h.spatial_in_size,
    numClasses: h.out_channels,
    hiddenSizes: [...h.hidden_sizes],
    ...(h.model === 'ckgcnn' ? {} : { widenFactor: h.widen_factor }),
    kernelSize: h.kernel_size,
    stride: h.stride,
    padding: h.padding,
    pooling: h.pooling,
    normalization: h.normalisation,
    dropout: h.dropout,
    kernelNet: {
      hiddenSize: h.ck_net_hidden_size,
      numHidden: h.ck_net_num_hidden,
      firstOmega0: h.first_omega_0,
      omega0: h.omega_0,
    },
    compatibility,
    seed: 0,
  };
  return validateModelConfig(config);
}
