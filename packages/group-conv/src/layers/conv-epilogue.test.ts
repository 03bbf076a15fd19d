/**
 * GroupConv2D's `epilogue`: `relu?(y·scale + shift)` per output channel, folded into the
 * depthwise conv of `separable` (one fused op), applied after the ops of the other
 * factorisations, after the bias where the layer has one; GroupBatchNorm's `inferenceEpilogue`
 * is its inference norm. Both must equal the conv followed by the norm and the ReLU.
 */
import { SE2 } from '@gcnn/lie-groups';
import { relativeL2, tolerance } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { Implementation } from '../factorisations/registry';
import { GroupBatchNorm } from './group-batch-norm';
import { GroupConv2D } from './group-conv-2d';

/** A norm with running statistics and weights far from the identity. */
function trainedNorm(c: number): GroupBatchNorm {
  const norm = new GroupBatchNorm({ channels: c });
  tf.tidy(() => {
    norm.weight.assign(tf.randomUniform([c], -2, 2, 'float32', 1));
    norm.bias.assign(tf.randomUniform([c], -1, 1, 'float32', 2));
    norm.runningMean.assign(tf.randomUniform([c], -0.5, 0.5, 'float32', 3));
    norm.runningVar.assign(tf.randomUniform([c], 0.2, 3, 'float32', 4));
  });
  return norm;
}

describe('GroupConv2D epilogue = conv, inference batch norm, ReLU', () => {
  // 20 output channels on 4 elements: 80 depthwise channels (wasm: the SIMD kernel's 16-channel
  // blocks); 5: 20 (its 4-channel blocks)
  it.each([
    ['separable', 20, false, true],
    ['separable', 5, false, false],
    ['nonseparable', 6, false, true],
    ['dseparable', 8, true, true],
  ] as Array<[Implementation, number, boolean, boolean]>)(
    '%s, %i output channels, bias %s, ReLU %s',
    async (implementation, cout, bias, relu) => {
      const before = tf.memory().numTensors;
      const conv = new GroupConv2D({
        group: SE2,
        sampleCount: 4,
        implementation,
        inChannels: 3,
        outChannels: cout,
        kernelSize: 5,
        padding: 2,
        kernelNet: { hiddenSize: 8 },
        bias,
        seed: 7,
      });
      tf.tidy(() => conv.bias?.assign(tf.randomUniform([cout], -1, 1, 'float32', 8)));
      expect(conv.foldsEpilogue).toBe(implementation === 'separable');
      const norm = trainedNorm(cout);
      const x = tf.randomNormal([2, 9, 9, 4, 3], 0, 1, 'float32', 5) as tf.Tensor5D;
      const elements = SE2.subgroup.sample(4);
      const input = { features: x, elements };
      const [folded, expected] = tf.tidy(() => {
        const epilogue = norm.inferenceEpilogue(relu);
        const a = conv.apply(input, { outputElements: elements, epilogue }).features;
        const y = norm.apply(conv.apply(input, { outputElements: elements }).features);
        return [a, relu ? tf.relu(y) : y];
      });
      expect(folded.shape).toEqual([2, 9, 9, 4, cout]);
      expect(await relativeL2(folded, expected)).toBeLessThanOrEqual(tolerance('exact'));
      if (relu) {
        const zeros = tf.tidy(() => tf.sum(tf.cast(tf.equal(folded, 0), 'float32')));
        expect((await zeros.data())[0]).toBeGreaterThan(folded.size / 10);
        zeros.dispose();
      }
      tf.dispose([folded, expected, x, elements]);
      conv.dispose();
      norm.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );
});
