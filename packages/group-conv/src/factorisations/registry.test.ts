/**
 * The factorisation registry: every name resolves to its own factorisation, names and groups are
 * checked in one place, each factorisation's kernel nets have the reference's sizes and fan-ins
 * (reference §3.5, §4.4, §9.10), its sampled kernels have the documented layouts, and the
 * registry's functions run the same computation as the layer. Values are pinned by the parity
 * fixtures (layers/reference-parity.test.ts) and the equivariance tests.
 */
import { resolveGroupGrid, SE2, Sim2 } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { KernelNetSpecs } from '../kernels/kernel-net-specs';
import { GroupConv2D } from '../layers/group-conv-2d';
import { TEST_GROUPS } from './groups.test-helpers';
import {
  applyGroupConvKernels,
  FACTORISATIONS,
  groupConvFactorisation,
  groupConvNetSpecs,
  IMPLEMENTATIONS,
  type Implementation,
  sampleGroupConvKernels,
} from './registry';

const TWO_SUBGROUP: Implementation[] = ['separable+2d', 'gseparable+2d'];

describe('the factorisation registry', () => {
  it("holds the reference's seven --implementation names, each resolving to itself", () => {
    expect(IMPLEMENTATIONS).toEqual([
      'nonseparable',
      'separable',
      'gseparable',
      'dseparable',
      'dgseparable',
      'separable+2d',
      'gseparable+2d',
    ]);
    for (const name of IMPLEMENTATIONS) {
      expect(FACTORISATIONS[name].name).toBe(name);
      expect(groupConvFactorisation(name, Sim2({ maxScale: 2 }))).toBe(FACTORISATIONS[name]);
    }
    const projected = IMPLEMENTATIONS.filter((name) => FACTORISATIONS[name].projection);
    expect(projected).toEqual(['dseparable', 'dgseparable']);
  });

  it('checks a name and its group once, naming the caller', () => {
    for (const [group] of TEST_GROUPS) {
      for (const name of IMPLEMENTATIONS) {
        const sim2Only = TWO_SUBGROUP.includes(name);
        if (!sim2Only || group.name === 'Sim2') {
          expect(groupConvFactorisation(name, group).name).toBe(name);
          continue;
        }
        expect(() => groupConvFactorisation(name, group, 'GroupConv2D')).toThrow(
          new Error(
            `Error in GroupConv2D: implementation '${name}' needs group 'Sim2', got '${group.name}'`,
          ),
        );
      }
    }
    for (const bad of ['foo', 'toString', 'constructor', 3, undefined])
      expect(() => groupConvFactorisation(bad, SE2, 'GroupConv2D')).toThrow(
        new Error(
          `Error in GroupConv2D: implementation must be one of ${IMPLEMENTATIONS.join(', ')}, got ${JSON.stringify(bad)}`,
        ),
      );
  });
});

describe('kernel nets of each factorisation', () => {
  it("are the reference's (d_in → P, final fan-in C_in·ks²)", () => {
    // Cin = 3, Cout = 2, k = 5: fan-ins 1 (in = 1, ks = 1), 3 (in = 3, ks = 1), 25 (in = 1,
    // ks = k), 75 (in = 3, ks = k). H-nets use ks = k only for R²⋊R⁺ separable and Sim(2)
    // separable/gseparable (reference §9.10).
    const net = (inputDim: number, outputDim: number, finalFanIn: number) => ({
      inputDim,
      outputDim,
      finalFanIn,
    });
    const expected: Record<string, Partial<Record<Implementation, KernelNetSpecs>>> = {
      SE2: {
        nonseparable: { kernel: net(3, 6, 75) },
        separable: { kernelH: net(1, 6, 3), kernelRn: net(2, 2, 25) },
        gseparable: { kernelH: net(1, 6, 3), kernelRn: net(2, 6, 75) },
        dseparable: { kernel: net(3, 2, 25) },
        dgseparable: { kernelH: net(1, 2, 1), kernelRn: net(2, 2, 25) },
      },
      R2xRplus: {
        nonseparable: { kernel: net(3, 6, 75) },
        separable: { kernelH: net(1, 6, 75), kernelRn: net(2, 2, 25) },
        gseparable: { kernelH: net(1, 6, 3), kernelRn: net(2, 6, 75) },
        dseparable: { kernel: net(3, 2, 25) },
        dgseparable: { kernelH: net(1, 2, 1), kernelRn: net(2, 2, 25) },
      },
      Sim2: {
        nonseparable: { kernel: net(4, 6, 75) },
        separable: { kernelH: net(2, 6, 75), kernelRn: net(2, 2, 25) },
        gseparable: { kernelH: net(2, 6, 75), kernelRn: net(2, 6, 75) },
        dseparable: { kernel: net(4, 2, 25) },
        dgseparable: { kernelH: net(2, 2, 1), kernelRn: net(2, 2, 25) },
        'separable+2d': {
          kernelSO2: net(1, 6, 3),
          kernelRplus: net(1, 2, 1),
          kernelRn: net(2, 2, 25),
        },
        'gseparable+2d': {
          kernelSO2: net(1, 6, 3),
          kernelRplus: net(1, 6, 3),
          kernelRn: net(2, 6, 75),
        },
      },
    };
    for (const [group] of TEST_GROUPS) {
      const specs = Object.fromEntries(
        IMPLEMENTATIONS.filter((name) =>
          FACTORISATIONS[name].subgroups.includes(group.subgroup.kind),
        ).map((name) => [name, groupConvNetSpecs(name, group, 3, 2, 5)]),
      );
      expect(specs).toEqual(expected[group.name]);
    }
  });
});

describe('sampled kernels', () => {
  it('have the layouts the ops take, and the registry runs what the layer runs', async () => {
    const [ci, co, k] = [3, 2, 3];
    for (const [group, count] of TEST_GROUPS) {
      const grid = resolveGroupGrid(group.subgroup, count);
      const [g, r, s] = [grid.size, grid.nRotations, grid.nScales];
      const shapes: Record<Implementation, Record<string, number[]>> = {
        nonseparable: { filter: [k, k, g * ci, g * co] },
        separable: { mixing: [g * ci, g * co], spatial: [k, k, g * co, 1] },
        gseparable: { filter: [k, k, g * ci, g * co] },
        dseparable: { projection: [ci, co], filter: [k, k, g * co, g] },
        dgseparable: { projection: [ci, co], mixing: [co, g, g], spatial: [k, k, g * co, 1] },
        'separable+2d': {
          rotationMixing: [r * ci, r * co],
          scaleMixing: [co, s, s],
          spatial: [k, k, g * co, 1],
        },
        'gseparable+2d': {
          rotationMixing: [ci, r, r * co],
          scaleMixing: [co, ci, s, s],
          spatial: [k, k, g * co * ci, 1],
        },
      };
      for (const name of IMPLEMENTATIONS) {
        if (!FACTORISATIONS[name].subgroups.includes(group.subgroup.kind)) continue;
        const layer = new GroupConv2D({
          group,
          sampleCount: grid,
          implementation: name,
          inChannels: ci,
          outChannels: co,
          kernelSize: k,
          kernelNet: { hiddenSize: 8 },
          seed: 1,
        });
        const elements = group.subgroup.sample(grid);
        const x = tf.randomUniform([2, 5, 5, g, ci], -1, 1, 'float32', 2) as tf.Tensor5D;
        const params = { ...layer.nets, projection: layer.projection as tf.Tensor2D | null };
        const kernels = sampleGroupConvKernels(
          name,
          { ...params, projection: params.projection ?? undefined },
          elements,
          elements,
          ci,
          co,
          { group, kernelSize: k, grid },
        );
        const { implementation, ...tensors } = kernels;
        expect(implementation).toBe(name);
        expect(
          Object.fromEntries(Object.entries(tensors).map(([key, t]) => [key, t.shape])),
        ).toEqual(shapes[name]);
        const viaRegistry = applyGroupConvKernels(x, kernels, { groupOut: g, grid });
        const viaLayer = layer.apply({ features: x, elements }).features;
        expect(viaRegistry.shape).toEqual([2, 5, 5, g, co]);
        expect(await viaRegistry.data()).toEqual(await viaLayer.data());
        tf.dispose([elements, x, viaRegistry, viaLayer, ...Object.values(tensors)]);
        layer.dispose();
      }
    }
  });
});
