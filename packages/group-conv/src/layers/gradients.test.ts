/**
 * Gradients reach every kernel-net weight (and the projection) of every layer, and equal central
 * finite differences on a small layer.
 */

import { SE2, Sim2 } from '@gcnn/lie-groups';
import { tolerance } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { FACTORISATIONS, IMPLEMENTATIONS } from '../factorisations/registry';
import { GroupConv2D } from './group-conv-2d';
import { LiftingConv2D } from './lifting-conv-2d';
import type { Module } from './module';

const kernelNet = { hiddenSize: 4, numHidden: 1, firstOmega0: 3, omega0: 3 };
const sim2 = Sim2({ maxScale: 1.5 });

/** Loss of a layer as a function of its variables' values (so tf.grads can differentiate it). */
function lossOf(layer: Module, forward: () => tf.Tensor) {
  const named = layer.namedVariables().filter(([, v]) => v.trainable);
  return {
    named,
    loss: () => tf.tidy(() => tf.sum(tf.square(forward()))),
  };
}

async function checkGradients(layer: Module, forward: () => tf.Tensor) {
  const { named, loss } = lossOf(layer, forward);
  const { value, grads } = tf.variableGrads(
    loss as () => tf.Scalar,
    named.map(([, v]) => v),
  );
  value.dispose();
  for (const [name, v] of named) {
    const g = grads[v.name]!;
    const gv = await g.data();
    const values = (await v.data()).slice();
    expect(
      Math.max(...Array.from(gv).map(Math.abs)),
      `${name} receives a gradient`,
    ).toBeGreaterThan(0);
    // Finite differences on a few entries of every variable.
    const eps = 1e-2;
    const assign = (entries: tf.TypedArray) => {
      const t = tf.tensor(entries, v.shape);
      v.assign(t);
      t.dispose();
      layer.invalidateCache();
    };
    for (const j of [0, Math.floor(values.length / 2), values.length - 1]) {
      const at = async (delta: number) => {
        const shifted = values.slice();
        shifted[j]! += delta;
        assign(shifted);
        const l = loss();
        const out = (await l.data())[0]!;
        l.dispose();
        return out;
      };
      const fd = ((await at(eps)) - (await at(-eps))) / (2 * eps);
      assign(values); // restore (no loss to evaluate)
      expect(
        Math.abs(gv[j]! - fd),
        `${name}[${j}]: analytic ${gv[j]} vs finite difference ${fd}`,
      ).toBeLessThanOrEqual(tolerance('gradient') * (1 + Math.abs(fd)));
    }
  }
  tf.dispose(Object.values(grads));
}

describe('gradients flow to every weight and match finite differences', () => {
  it('lifting SE2', async () => {
    const layer = new LiftingConv2D({
      group: SE2,
      sampleCount: 4,
      inChannels: 1,
      outChannels: 2,
      kernelSize: 3,
      kernelNet,
      bias: true,
      seed: 1,
    });
    const x = tf.randomUniform([1, 5, 5, 1], -1, 1, 'float32', 2) as tf.Tensor4D;
    await checkGradients(layer, () => layer.apply(x, { training: true }).features);
    x.dispose();
    layer.dispose();
  });
  for (const implementation of IMPLEMENTATIONS) {
    it(`group conv ${implementation}`, async () => {
      const sim2Only = !FACTORISATIONS[implementation].subgroups.includes('rotation');
      const group = sim2Only ? sim2 : SE2;
      const count = sim2Only ? ([4, 2] as [number, number]) : 4;
      const g = sim2Only ? 8 : 4;
      const layer = new GroupConv2D({
        group,
        sampleCount: count,
        implementation,
        inChannels: 2,
        outChannels: 2,
        kernelSize: 3,
        kernelNet,
        seed: 3,
      });
      const x = tf.randomUniform([1, 5, 5, g, 2], -1, 1, 'float32', 4) as tf.Tensor5D;
      const elements = group.subgroup.sample(count);
      await checkGradients(
        layer,
        () => layer.apply({ features: x, elements }, { training: true }).features,
      );
      tf.dispose([x, elements]);
      layer.dispose();
    });
  }
});
