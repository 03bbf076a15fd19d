/**
 * What sampling a layer's kernels leaves on the gradient tape: the kernel nets' activations, not
 * their outputs. The masks and determinant factors are applied inside the net's gradient node
 * (`outputScale`): a product or division applied to the net's `[points, P]` output afterwards
 * would save that output for its gradient, as large as the kernel itself, until the backward pass
 * reaches it (the nonseparable model's training step held 62 MiB more on wasm that way).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { disposeTape, recordTape, savedTensors } from '../autodiff/tape';
import { TEST_GROUPS } from '../factorisations/groups.test-helpers';
import { type Implementation, sampleGroupConvKernels } from '../factorisations/registry';
import { testGroupConv2D } from '../layers/group-conv-2d.test-helpers';

// Outputs per point (8·16 for the nonseparable and subgroup nets, 16 for the spatial net) 4 or
// more times the hidden size, so an output and an activation cannot be confused by their sizes.
const [CIN, COUT, HIDDEN, K] = [8, 16, 4, 3];
const SIZES = { inChannels: CIN, outChannels: COUT, kernelSize: K, hiddenSize: HIDDEN };

describe('sampled kernels', () => {
  for (const implementation of ['nonseparable', 'separable'] as Implementation[]) {
    it(`${implementation}: the tape saves no kernel net output, for every group`, () => {
      for (const [group, count] of TEST_GROUPS) {
        const before = tf.memory().numTensors;
        const { layer, grid, elements } = testGroupConv2D(implementation, group, count, SIZES);
        const { result, tape } = recordTape(() =>
          sampleGroupConvKernels(implementation, layer.nets, elements, elements, CIN, COUT, {
            group,
            kernelSize: K,
            grid,
          }),
        );
        const kernels = Object.values(result).filter((v): v is tf.Tensor => v instanceof tf.Tensor);
        const smallestKernel = Math.min(...kernels.map((t) => t.size));
        const largestSaved = Math.max(...tape.flatMap(savedTensors).map((t) => t.size));
        expect(largestSaved, group.name).toBeLessThan(smallestKernel / 2);
        disposeTape(tape);
        tf.dispose(kernels);
        tf.dispose(elements);
        layer.dispose(); // with the nets' cached coordinates and masks
        expect(tf.memory().numTensors, group.name).toBe(before);
      }
    });
  }
});
