import { COMPATIBILITY_MODES, groupConvFactorisation } from '@gcnn/group-conv';
import { GROUP_NAMES, groupByName, resolveGroupGrid, SAMPLING_METHODS } from '@gcnn/lie-groups';
import { ALLCNNC_WIDTHS } from './ckg-allcnnc';
import { ckgCnnLastKernelSize } from './ckg-cnn';
import { lastKernelSize } from './ckg-resnet';
import { widen } from './internal/layer-factory';
import { MODEL_NAMES, type ModelConfig, NORMALIZATIONS } from './model-config';
import { checkModelLimits } from './model-limits';

const OP = 'validateModelConfig';

function fail(message: string): never {
  throw new Error(`Error in ${OP}: ${message}`);
}

function oneOf(field: string, value: unknown, allowed: readonly string[], hint = ''): void {
  if (typeof value !== 'string' || !allowed.includes(value)) {
    fail(`${field} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}${hint}`);
  }
}

function positiveInteger(field: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    fail(`${field} must be a positive integer, got ${JSON.stringify(value)}`);
  }
}

function finitePositive(field: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    fail(`${field} must be a finite number > 0, got ${JSON.stringify(value)}`);
  }
}

function boolean(field: string, value: unknown): void {
  if (typeof value !== 'boolean')
    fail(`${field} must be true or false, got ${JSON.stringify(value)}`);
}

/** Spatial size after a conv with kernel k, symmetric padding and stride (PyTorch's floor). */
function convOut(size: number, k: number, padding: number, stride: number): number {
  return Math.floor((size + 2 * padding - k) / stride) + 1;
}

/**
 * Checks a model config and fails fast with a message that names the field and what is allowed,
 * e.g. `Error in validateModelConfig: implementation must be one of nonseparable, …, got "foo"`.
 * Beyond types and ranges it checks the combinations the reference would crash on or silently
 * ignore: `separable+2d`/`gseparable+2d` need `Sim2`; scale groups need `maxScale`; `[R, S]`
 * sample counts are for `Sim2` only; a residual block with equal widths needs stride 1; the last
 * conv's kernel must fit the feature map; `ckgcnn` takes no widen factor or dropout. Sizes are
 * bounded by `MODEL_LIMITS` (group elements, widths, depth, kernel and feature-map footprint).
 * Returns the config (typed) for chaining.
 */
export function validateModelConfig(config: ModelConfig): ModelConfig {
  if (typeof config !== 'object' || config === null) fail('config must be an object');
  const c = config;
  oneOf('model', c.model, MODEL_NAMES);
  oneOf('group', c.group, GROUP_NAMES);
  if (c.group !== 'SE2') {
    if (c.maxScale === undefined)
      fail(`maxScale is required for group '${c.group}' (a number ≥ 1)`);
    if (typeof c.maxScale !== 'number' || !Number.isFinite(c.maxScale) || c.maxScale < 1)
      fail(`maxScale must be a number ≥ 1, got ${JSON.stringify(c.maxScale)}`);
  }
  const group = groupByName({ name: c.group, maxScale: c.maxScale });
  resolveGroupGrid(group.subgroup, c.sampleCount, OP);
  oneOf(
    'sampling',
    c.sampling,
    SAMPLING_METHODS,
    (c.sampling as string) === 'discretise' ? " (gcnn spells it 'discretize')" : '',
  );
  groupConvFactorisation(c.implementation, group, OP);
  positiveInteger('inChannels', c.inChannels);
  positiveInteger('imageSize', c.imageSize);
  positiveInteger('numClasses', c.numClasses);
  if (!Array.isArray(c.hiddenSizes) || c.hiddenSizes.length === 0)
    fail(
      `hiddenSizes must be a non-empty array of positive integers, got ${JSON.stringify(c.hiddenSizes)}`,
    );
  for (const [i, h] of c.hiddenSizes.entries()) positiveInteger(`hiddenSizes[${i}]`, h);
  if (c.widenFactor !== undefined) finitePositive('widenFactor', c.widenFactor);
  positiveInteger('kernelSize', c.kernelSize);
  if (c.kernelSize % 2 === 0)
    fail(`kernelSize must be odd (symmetric k//2 padding), got ${c.kernelSize}`);
  positiveInteger('stride', c.stride);
  boolean('padding', c.padding);
  boolean('pooling', c.pooling);
  oneOf('normalization', c.normalization, NORMALIZATIONS);
  if (typeof c.dropout !== 'number' || !(c.dropout >= 0 && c.dropout < 1))
    fail(`dropout must be a number in [0, 1), got ${JSON.stringify(c.dropout)}`);
  const kn = c.kernelNet;
  if (typeof kn !== 'object' || kn === null)
    fail('kernelNet must be { hiddenSize, numHidden, firstOmega0, omega0 }');
  positiveInteger('kernelNet.hiddenSize', kn.hiddenSize);
  if (typeof kn.numHidden !== 'number' || !Number.isInteger(kn.numHidden) || kn.numHidden < 0)
    fail(`kernelNet.numHidden must be an integer ≥ 0, got ${JSON.stringify(kn.numHidden)}`);
  finitePositive('kernelNet.firstOmega0', kn.firstOmega0);
  finitePositive('kernelNet.omega0', kn.omega0);
  if (c.compatibility !== undefined) oneOf('compatibility', c.compatibility, COMPATIBILITY_MODES);
  if (typeof c.seed !== 'number' || !Number.isInteger(c.seed))
    fail(`seed must be an integer, got ${JSON.stringify(c.seed)}`);
  checkModelLimits(c, fail);

  if (c.model === 'ckgresnet') checkResNet(c);
  else if (c.model === 'ckgcnn') checkCnn(c);
  else checkAllCnnC(c);
  return config;
}

function checkResNet(c: ModelConfig): void {
  const h = widen(c.hiddenSizes, c.widenFactor);
  h.forEach((w, i) => {
    if (w < 1) fail(`hiddenSizes[${i}]·widenFactor truncates to ${w}; widths must stay ≥ 1`);
  });
  if (h.length > 1 && c.kernelNet.hiddenSize < 2)
    fail(
      `kernelNet.hiddenSize must be ≥ 2 (a block's skipAlign uses hiddenSize // 2), got ${c.kernelNet.hiddenSize}`,
    );
  const k = c.kernelSize;
  let size = convOut(c.imageSize, k, c.padding ? Math.floor(k / 2) : 0, 1);
  for (let b = 1; b < h.length; b++) {
    if (h[b - 1] === h[b] && c.stride !== 1)
      fail(
        `stride must be 1 when consecutive hiddenSizes are equal (identity shortcut of block ${b}), got ${c.stride}`,
      );
    size = convOut(size, k, Math.floor(k / 2), c.stride);
    if (c.pooling) size = Math.floor(size / 2);
  }
  const last = lastKernelSize(c.imageSize, h.length - 1, k);
  if (size < last)
    fail(
      `imageSize ${c.imageSize} leaves a ${size}×${size} map for the last group conv, whose kernel is ${last} (clamp(imageSize // 2^${h.length - 1} − kernelSize, 3, 11)); use larger images or fewer blocks`,
    );
}

function checkCnn(c: ModelConfig): void {
  if (c.widenFactor !== undefined && c.widenFactor !== 1)
    fail(
      `widenFactor is not supported by model 'ckgcnn' (the reference ignores it), got ${c.widenFactor}`,
    );
  if (c.dropout !== 0)
    fail(`dropout is not supported by model 'ckgcnn' (the reference ignores it), got ${c.dropout}`);
  const k = c.kernelSize;
  const pad = Math.floor(k / 2);
  let size = Math.floor(convOut(c.imageSize, k, pad, 1) / 2);
  for (let b = 1; b < c.hiddenSizes.length; b++) {
    size = convOut(size, k, pad, c.stride);
    if (c.pooling) size = Math.floor(size / 2);
  }
  const last = ckgCnnLastKernelSize(c.imageSize, c.hiddenSizes.length);
  if (last < 1 || size < last)
    fail(
      `imageSize ${c.imageSize} gives the last group conv a kernel of ${last} (imageSize // 2^${c.hiddenSizes.length}) on a ${size}×${size} map; it must be between 1 and the map size`,
    );
}

function checkAllCnnC(c: ModelConfig): void {
  const w = widen(ALLCNNC_WIDTHS, c.widenFactor);
  if (w.some((x) => x < 1)) fail(`widenFactor ${c.widenFactor} truncates All-CNN-C widths to 0`);
}
