/**
 * The tensors a kernel net is evaluated with that depend only on the sampled elements
 * (coordinates, masks, determinant factors) are computed once per element set and kept on the
 * net (`KernelNetInputs`): sampling a layer's kernels again with the same elements, as a training
 * step does with a `discretize` grid, evaluates only the nets.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TEST_GROUPS } from '../factorisations/groups.test-helpers';
import { FACTORISATIONS, IMPLEMENTATIONS } from '../factorisations/registry';
import type { GroupConv2D } from '../layers/group-conv-2d';
import { testGroupConv2D } from '../layers/group-conv-2d.test-helpers';
import { KernelNetInputs } from './kernel-net-inputs';

const [CIN, COUT, HIDDEN, K] = [2, 4, 4, 3];
const SIZES = { inChannels: CIN, outChannels: COUT, kernelSize: K, hiddenSize: HIDDEN };

/** How often `KernelNetInputs` was asked for inputs and how often it computed them. */
function countInputs(): { asked: number; computed: number } {
  const counts = { asked: 0, computed: 0 };
  const get = KernelNetInputs.prototype.get;
  vi.spyOn(KernelNetInputs.prototype, 'get').mockImplementation(function (
    this: KernelNetInputs,
    key,
    elements,
    compute,
  ) {
    counts.asked++;
    return get.call(this, key, elements, () => {
      counts.computed++;
      return compute();
    });
  });
  return counts;
}

/**
 * The layer's nets that take cached inputs: all but the "+2d" factorisations' rotation and scale
 * nets, whose inputs are R² and S² relative coordinates, too small to keep.
 */
function cachedNets(layer: GroupConv2D): number {
  return Object.keys(layer.nets).filter((role) => role !== 'kernelSO2' && role !== 'kernelRplus')
    .length;
}

describe('kernel net inputs', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  for (const implementation of IMPLEMENTATIONS) {
    it(`${implementation}: computed once for the same elements, for every group`, () => {
      for (const [group, count] of TEST_GROUPS) {
        if (!FACTORISATIONS[implementation].subgroups.includes(group.subgroup.kind)) continue;
        const before = tf.memory().numTensors;
        const { layer, elements } = testGroupConv2D(implementation, group, count, SIZES);
        const copy = tf.clone(elements);
        const sample = (hs: tf.Tensor2D) => {
          const kernels = layer.sampleKernels(hs, hs);
          tf.dispose(Object.values(kernels).filter((v) => v instanceof tf.Tensor));
        };
        const counts = countInputs();
        sample(elements);
        const first = { ...counts };
        sample(elements);
        const again = {
          asked: counts.asked - first.asked,
          computed: counts.computed - first.computed,
        };
        sample(copy); // equal values, another tensor: computed again
        const other = counts.computed - first.computed - again.computed;
        vi.restoreAllMocks();
        // every net of the layer takes its inputs from the cache, computed on the first call only
        expect(first.asked, group.name).toBe(cachedNets(layer));
        expect(first.computed, group.name).toBe(first.asked);
        expect(again, group.name).toEqual({ asked: first.asked, computed: 0 });
        expect(other, group.name).toBe(first.asked);
        tf.dispose([copy, elements]);
        layer.dispose(); // with the cached inputs
        expect(tf.memory().numTensors, group.name).toBe(before);
      }
    });
  }
});
