/** validateModelConfig and modelConfigFromJson fail fast, naming the field and what is allowed. */

import { describe, expect, it } from 'vitest';
import type { ModelConfig } from './model-config';
import { modelConfigFromJson } from './model-config-from-json';
import { MODEL_PRESETS } from './model-presets';
import { validateModelConfig } from './validate-model-config';

const BASE = MODEL_PRESETS['se2-separable'];

function withField(patch: Record<string, unknown>): ModelConfig {
  return { ...BASE, ...patch } as ModelConfig;
}

describe('validateModelConfig', () => {
  it('accepts every preset', () => {
    for (const config of Object.values(MODEL_PRESETS))
      expect(validateModelConfig(config)).toBe(config);
  });

  const CASES: Array<[string, Record<string, unknown>, RegExp]> = [
    [
      'model',
      { model: 'ckgwideresnet' },
      /model must be one of ckgresnet, ckgcnn, ckgallcnnc, got "ckgwideresnet"/,
    ],
    ['group', { group: 'SE3' }, /group must be one of SE2, R2xRplus, Sim2, got "SE3"/],
    [
      'implementation',
      { implementation: 'foo' },
      /^Error in validateModelConfig: implementation must be one of nonseparable, separable, gseparable, dseparable, dgseparable, separable\+2d, gseparable\+2d, got "foo"$/,
    ],
    [
      'separable+2d needs Sim2',
      { implementation: 'separable+2d' },
      /implementation 'separable\+2d' needs group 'Sim2', got 'SE2'/,
    ],
    [
      'maxScale required',
      { group: 'Sim2', sampleCount: [4, 2] },
      /maxScale is required for group 'Sim2'/,
    ],
    [
      'maxScale ≥ 1',
      { group: 'R2xRplus', maxScale: 0.5 },
      /maxScale must be a number ≥ 1, got 0.5/,
    ],
    [
      '[R, S] only for Sim2',
      { sampleCount: [8, 2] },
      /sampleCount \[nRotations, nScales\] is only for group 'Sim2'/,
    ],
    ['sampleCount', { sampleCount: 0 }, /sampleCount must be a positive integer, got 0/],
    [
      'sampling',
      { sampling: 'discretise' },
      /sampling must be one of discretize, uniform, got "discretise" \(gcnn spells it 'discretize'\)/,
    ],
    ['kernelSize odd', { kernelSize: 4 }, /kernelSize must be odd/],
    [
      'normalization',
      { normalization: 'groupnorm' },
      /normalization must be one of batchnorm, instancenorm, layernorm/,
    ],
    ['dropout', { dropout: 1 }, /dropout must be a number in \[0, 1\), got 1/],
    ['hiddenSizes', { hiddenSizes: [] }, /hiddenSizes must be a non-empty array/],
    [
      'hiddenSizes entries',
      { hiddenSizes: [32, 0] },
      /hiddenSizes\[1\] must be a positive integer, got 0/,
    ],
    [
      'compatibility',
      { compatibility: 'torch' },
      /compatibility must be one of gcnn, reference, got "torch"/,
    ],
    [
      'kernelNet',
      { kernelNet: { ...BASE.kernelNet, numHidden: -1 } },
      /kernelNet.numHidden must be an integer ≥ 0/,
    ],
    ['seed', { seed: 1.5 }, /seed must be an integer, got 1.5/],
    [
      'identity shortcut stride',
      { stride: 2 },
      /stride must be 1 when consecutive hiddenSizes are equal/,
    ],
    [
      'last conv fits',
      { imageSize: 8 },
      /imageSize 8 leaves a 2×2 map for the last group conv, whose kernel is 3/,
    ],
    [
      'ckgcnn widen',
      { model: 'ckgcnn', widenFactor: 2 },
      /widenFactor is not supported by model 'ckgcnn'/,
    ],
    [
      'ckgcnn dropout',
      { model: 'ckgcnn', dropout: 0.1 },
      /dropout is not supported by model 'ckgcnn'/,
    ],
  ];
  for (const [name, patch, message] of CASES) {
    it(`rejects ${name}`, () => {
      expect(() => validateModelConfig(withField(patch))).toThrow(message);
    });
  }
});

describe('modelConfigFromJson', () => {
  it('round-trips a preset through JSON text', () => {
    const config = MODEL_PRESETS['sim2-separable2d'];
    expect(modelConfigFromJson(JSON.stringify(config))).toEqual(config);
  });

  it('rejects unknown and missing fields, bad JSON and non-objects', () => {
    expect(() => modelConfigFromJson({ ...BASE, lr: 1 })).toThrow(/unknown field 'lr'/);
    const { seed: _, ...noSeed } = BASE;
    expect(() => modelConfigFromJson(noSeed)).toThrow(/missing field 'seed'/);
    expect(() =>
      modelConfigFromJson({ ...BASE, kernelNet: { ...BASE.kernelNet, depth: 2 } }),
    ).toThrow(/unknown field 'kernelNet.depth'/);
    expect(() => modelConfigFromJson('{')).toThrow(
      /Error in modelConfigFromJson: json is not valid JSON/,
    );
    expect(() => modelConfigFromJson([1])).toThrow(/json must be an object/);
    expect(() => modelConfigFromJson({ ...BASE, group: 'Sim2' })).toThrow(
      /Error in validateModelConfig: maxScale is required/,
    );
  });
});
