import type { ModelConfig } from './model-config';
import { validateModelConfig } from './validate-model-config';

const REQUIRED = [
  'model',
  'group',
  'sampleCount',
  'sampling',
  'implementation',
  'inChannels',
  'imageSize',
  'numClasses',
  'hiddenSizes',
  'kernelSize',
  'stride',
  'padding',
  'pooling',
  'normalization',
  'dropout',
  'kernelNet',
  'seed',
] as const;
const OPTIONAL = ['maxScale', 'widenFactor', 'compatibility'] as const;
const KERNEL_NET = ['hiddenSize', 'numHidden', 'firstOmega0', 'omega0'] as const;

/**
 * Reads a model config from JSON text or a parsed JSON value (e.g. a saved checkpoint's
 * `config`): every field of {@link ModelConfig} must be present (`maxScale`, `widenFactor`,
 * `compatibility` optional), unknown fields are errors, and the result is validated with
 * `validateModelConfig`. Returns a fresh object.
 */
export function modelConfigFromJson(json: unknown): ModelConfig {
  const op = 'modelConfigFromJson';
  let value = json;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (e) {
      throw new Error(`Error in ${op}: json is not valid JSON (${(e as Error).message})`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`Error in ${op}: json must be an object, got ${JSON.stringify(value)}`);
  const record = value as Record<string, unknown>;
  // A config nests two levels (the config, then kernelNet, hiddenSizes or sampleCount); refusing
  // deeper values here keeps the copies and messages below from recursing through a hostile file.
  const depth = jsonDepth(record, 3);
  if (depth > 2)
    throw new Error(
      `Error in ${op}: json nests ${depth > 3 ? 'more than 3' : depth} levels of objects or arrays; a model config has 2 (the config, then kernelNet, hiddenSizes or sampleCount)`,
    );
  const known = new Set<string>([...REQUIRED, ...OPTIONAL]);
  for (const key of Object.keys(record)) {
    if (!known.has(key))
      throw new Error(
        `Error in ${op}: unknown field '${key}'; fields are ${[...REQUIRED, ...OPTIONAL].join(', ')}`,
      );
  }
  for (const key of REQUIRED) {
    if (!(key in record)) throw new Error(`Error in ${op}: missing field '${key}'`);
  }
  const kn = record.kernelNet;
  if (typeof kn !== 'object' || kn === null || Array.isArray(kn))
    throw new Error(`Error in ${op}: kernelNet must be an object with ${KERNEL_NET.join(', ')}`);
  for (const key of Object.keys(kn)) {
    if (!(KERNEL_NET as readonly string[]).includes(key))
      throw new Error(
        `Error in ${op}: unknown field 'kernelNet.${key}'; fields are ${KERNEL_NET.join(', ')}`,
      );
  }
  const copy = JSON.parse(JSON.stringify(record)) as ModelConfig;
  for (const key of OPTIONAL) if (record[key] === undefined) delete copy[key];
  return validateModelConfig(copy);
}

/** Nesting depth of a JSON value (a number is 0, `[1]` is 1), counted without recursion up to `cap + 1`. */
function jsonDepth(value: unknown, cap: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (d + 1 > deepest) deepest = d + 1;
    if (deepest > cap) return deepest;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return deepest;
}
