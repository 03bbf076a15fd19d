import type { Compatibility, Implementation } from '@gcnn/group-conv';
import type { GroupName, SampleCount, SamplingMethod } from '@gcnn/lie-groups';

/** Architectures of the reference (`--model`). */
export const MODEL_NAMES = ['ckgresnet', 'ckgcnn', 'ckgallcnnc'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** Feature-map normalisations of the reference (`--normalisation`). */
export const NORMALIZATIONS = ['batchnorm', 'instancenorm', 'layernorm'] as const;
export type Normalization = (typeof NORMALIZATIONS)[number];

/** Width, depth and frequencies of every kernel net of a model (`--ck_net_*`, `--first_omega_0`, `--omega_0`). */
export interface ModelKernelNetConfig {
  /** SIREN width (`--ck_net_hidden_size`); a residual block's `skipAlign` uses half of it. */
  hiddenSize: number;
  /** Hidden sine layers after the first (`--ck_net_num_hidden`). */
  numHidden: number;
  /** ω₀′ of the first sine layer (`--first_omega_0`). */
  firstOmega0: number;
  /** ω₀ of the hidden sine layers (`--omega_0`). */
  omega0: number;
}

/**
 * A JSON-serialisable description of a model: everything needed to rebuild it (weights aside).
 * Field ↔ reference flag: `group` `--group`, `maxScale` `--max_scale`, `sampleCount`
 * `--num_group_elements`, `sampling` `--sampling_method`, `implementation` `--implementation`,
 * `hiddenSizes` `--hidden_sizes`, `widenFactor` `--widen_factor`, `kernelSize` `--kernel_size`,
 * `stride` `--stride`, `padding` `--padding`, `pooling` `--pooling`, `normalization`
 * `--normalisation`, `dropout` `--dropout`, `kernelNet` `--ck_net_*`/`--first_omega_0`/`--omega_0`.
 * Check one with {@link validateModelConfig}; read one from JSON with {@link modelConfigFromJson}.
 */
export interface ModelConfig {
  model: ModelName;
  group: GroupName;
  /** Largest sampled scale; required for `R2xRplus` and `Sim2`, ignored for `SE2`. */
  maxScale?: number;
  /** Sampled elements of H: `8`, or `[nRotations, nScales]` (Sim(2) only). */
  sampleCount: SampleCount;
  /** `discretize` (the fixed grid) or `uniform` (a random rotation of it in training). */
  sampling: SamplingMethod;
  implementation: Implementation;
  /** Image channels and size of the dataset (square images `[imageSize, imageSize, inChannels]`). */
  inChannels: number;
  imageSize: number;
  numClasses: number;
  /** Widths `[h0, h1, …, hL]`: lifting to h0, then one block (or layer) per further entry. Ignored by `ckgallcnnc` (fixed widths). */
  hiddenSizes: number[];
  /** Multiplies every width, truncated (default 1; `ckgcnn` does not support it, as the reference). */
  widenFactor?: number;
  /** Spatial kernel size k (odd) of the lifting layer and the blocks. */
  kernelSize: number;
  /** Stride of each block's first conv and shortcut (`ckgresnet`), or of every group conv. */
  stride: number;
  /** Pad the lifting layer by kernelSize//2 (the reference's `--padding`). */
  padding: boolean;
  /** 2×2 spatial max pooling after each block's norm. */
  pooling: boolean;
  normalization: Normalization;
  /** Feature-map dropout rate after each block (`ckgresnet`); the head's 0.3 is fixed. */
  dropout: number;
  kernelNet: ModelKernelNetConfig;
  /** `'gcnn'` (default) or `'reference'` numerics (see `@gcnn/group-conv` Compatibility). */
  compatibility?: Compatibility;
  /** Seed of the weight initialisation. */
  seed: number;
}
