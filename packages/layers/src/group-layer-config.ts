import type { Compatibility, KernelNetOptions, Padding } from '@gcnn/group-conv';
import {
  type AffineGroup,
  GROUP_NAMES,
  type GroupName,
  groupByName,
  resolveGroupGrid,
  type SampleCount,
} from '@gcnn/lie-groups';

/** The JSON config of the gcnn conv layers (what `getConfig` saves and `fromConfig` reads). */
export interface GroupLayerConfig {
  /** `SE2`, `R2xRplus` or `Sim2`. */
  group: GroupName;
  /** Largest sampled scale (`R2xRplus`, `Sim2`). */
  maxScale?: number;
  /** Sampled elements of H: `8`, or `[nRotations, nScales]` for Sim(2). Always the `discretize` grid. */
  sampleCount: SampleCount;
  /** Output channels. */
  filters: number;
  kernelSize: number;
  strides?: number;
  /** `'same'` (default), `'valid'` or a symmetric number of pixels. */
  padding?: Padding;
  useBias?: boolean;
  kernelNet?: KernelNetOptions;
  compatibility?: Compatibility;
  /** Seed of the initial weights (default 0). */
  seed?: number;
}

/** The gcnn conv-layer options of a config, for `inChannels` input channels. */
export function convOptions(op: string, config: GroupLayerConfig, inChannels: number) {
  if ((config as { sampling?: string }).sampling === 'uniform')
    throw new Error(
      `Error in ${op}: sampling 'uniform' is not supported in tfjs-layers models (layers pass one tensor, not the rotated elements); they use the 'discretize' grid`,
    );
  const group: AffineGroup = groupByName({
    name: groupName(config.group),
    maxScale: config.maxScale,
  });
  return {
    group,
    sampleCount: config.sampleCount,
    sampling: 'discretize' as const,
    inChannels,
    outChannels: config.filters,
    kernelSize: config.kernelSize,
    stride: config.strides ?? 1,
    padding: config.padding ?? 'same',
    bias: config.useBias ?? false,
    kernelNet: config.kernelNet ?? {},
    compatibility: config.compatibility,
    seed: config.seed ?? 0,
  };
}

/**
 * The group name of a config as saved by tfjs-layers, which rewrites string values to snake_case
 * and back to camelCase (`SE2` comes back as `sE2`): matched ignoring case and underscores.
 */
function groupName(name: string): GroupName {
  const key = (n: string) => n.replaceAll('_', '').toLowerCase();
  return GROUP_NAMES.find((g) => key(g) === key(name)) ?? (name as GroupName);
}

/** Number of sampled group elements G of a config. */
export function groupSize(config: GroupLayerConfig): number {
  const group = groupByName({ name: groupName(config.group), maxScale: config.maxScale });
  return resolveGroupGrid(group.subgroup, config.sampleCount).size;
}

/** Output spatial size of a conv (tfjs's rules for 'same'/'valid', PyTorch's for explicit padding). */
export function convOutputSize(
  size: number | null,
  k: number,
  stride: number,
  padding: Padding,
): number | null {
  if (size === null) return null;
  if (padding === 'same') return Math.ceil(size / stride);
  if (padding === 'valid') return Math.ceil((size - k + 1) / stride);
  return Math.floor((size + 2 * padding - k) / stride) + 1;
}

/** The config without undefined fields (what a saved model.json holds). */
export function serializable(config: GroupLayerConfig): Record<string, unknown> {
  return JSON.parse(JSON.stringify(config));
}
