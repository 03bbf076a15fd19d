/**
 * Parameter counts of the README MNIST-rot configuration (ckgresnet, hidden [32, 32, 64], k = 7,
 * kernel nets 1×64) equal the reference's measured counts (reference §5.6) for every group and
 * factorisation, in both numerics (the compatibility mode changes kernels, not nets). Counting
 * needs construction only.
 */

import type { Compatibility, Implementation } from '@gcnn/group-conv';
import type { GroupName } from '@gcnn/lie-groups';
import { describe, expect, it } from 'vitest';
import { createModel } from './create-model';
import type { ModelConfig } from './model-config';
import { MODEL_PRESETS } from './model-presets';

const TABLE: Array<[GroupName, Implementation, number]> = [
  ['SE2', 'nonseparable', 716_490],
  ['SE2', 'separable', 755_370],
  ['SE2', 'gseparable', 1_405_322],
  ['SE2', 'dseparable', 77_802],
  ['SE2', 'dgseparable', 116_682],
  ['R2xRplus', 'nonseparable', 716_490],
  ['R2xRplus', 'separable', 755_370],
  ['R2xRplus', 'gseparable', 1_405_322],
  ['R2xRplus', 'dseparable', 77_802],
  ['R2xRplus', 'dgseparable', 116_682],
  ['Sim2', 'nonseparable', 716_842],
  ['Sim2', 'separable', 755_722],
  ['Sim2', 'gseparable', 1_405_674],
  ['Sim2', 'separable+2d', 794_602],
  ['Sim2', 'gseparable+2d', 2_094_506],
];

function readmeConfig(
  group: GroupName,
  implementation: Implementation,
  compatibility: Compatibility,
): ModelConfig {
  return {
    ...MODEL_PRESETS['se2-separable'],
    group,
    maxScale: group === 'SE2' ? undefined : group === 'Sim2' ? 1.74 : 2,
    sampleCount: group === 'Sim2' ? [16, 3] : group === 'SE2' ? 8 : 3,
    implementation,
    compatibility,
  };
}

function count(config: ModelConfig): number {
  const model = createModel(config);
  const n = model.parameterCount();
  model.dispose();
  return n;
}

describe('parameter counts equal the reference (§5.6, README MNIST-rot config)', () => {
  for (const [group, implementation, expected] of TABLE) {
    it(`${group} ${implementation}: ${expected.toLocaleString('en')}`, () => {
      expect(count(readmeConfig(group, implementation, 'reference'))).toBe(expected);
    });
  }

  it('default numerics have the same counts (same kernel nets)', () => {
    for (const [group, implementation, expected] of TABLE.filter(([g]) => g !== 'R2xRplus')) {
      expect(count(readmeConfig(group, implementation, 'gcnn')), `${group} ${implementation}`).toBe(
        expected,
      );
    }
  });

  it('the README presets', () => {
    expect(count(MODEL_PRESETS['se2-nonseparable'])).toBe(716_490);
    expect(count(MODEL_PRESETS['se2-separable'])).toBe(755_370);
    expect(count(MODEL_PRESETS['sim2-separable2d'])).toBe(794_602);
    expect(count(MODEL_PRESETS.default)).toBe(70_298); // the main job's model (README, cli README)
  });

  it('SE(2) nonseparable breakdown by component (§5.6)', () => {
    const model = createModel(MODEL_PRESETS['se2-nonseparable']);
    const byPrefix = (prefix: string) =>
      model
        .namedVariables()
        .filter(([name, v]) => name.startsWith(prefix) && v.trainable)
        .reduce((n, [, v]) => n + v.size, 0);
    expect(byPrefix('lifting.')).toBe(6_432);
    expect(byPrefix('layers.2.')).toBe(142_080); // block 1: 2 × 70,976 + BN
    expect(byPrefix('layers.6.')).toBe(277_472); // block 2: 70,976 + 137,536 + skip 68,768 + BN
    expect(byPrefix('layers.10.')).toBe(270_656); // final group conv, k = 3
    const norms = ['layers.0.', 'layers.3.', 'layers.7.', 'layers.11.'].map(byPrefix);
    expect(norms.reduce((a, b) => a + b)).toBe(384);
    expect(byPrefix('finalLinear.')).toBe(19_466);
    model.dispose();
  });
});
