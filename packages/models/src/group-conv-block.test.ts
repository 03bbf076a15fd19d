/**
 * GroupConvBlock in inference folds each batch norm and its ReLU into the conv before it where the
 * conv can (`separable`: one fused depthwise conv). Its output must equal the block's formula
 * written with its own modules, unfused: `ReLU(ReLU(BN₂(gconv2(ReLU(BN₁(gconv1(x)))))) + skip(x))`.
 */
import {
  type GroupBatchNorm,
  type GroupFeatures,
  type Implementation,
  reluKeepingOutput,
} from '@gcnn/group-conv';
import { createRng } from '@gcnn/lie-groups';
import { relativeL2, tolerance } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { GroupConvBlock } from './group-conv-block';
import { layerFactory } from './internal/layer-factory';
import { MODEL_PRESETS } from './model-presets';

function setStatistics(norm: GroupBatchNorm, seed: number): void {
  const c = norm.options.channels;
  tf.tidy(() => {
    norm.weight.assign(tf.randomUniform([c], -2, 2, 'float32', seed));
    norm.bias.assign(tf.randomUniform([c], -1, 1, 'float32', seed + 1));
    norm.runningMean.assign(tf.randomUniform([c], -0.5, 0.5, 'float32', seed + 2));
    norm.runningVar.assign(tf.randomUniform([c], 0.2, 3, 'float32', seed + 3));
  });
}

/** The block's formula, each op separately. */
function unfused(block: GroupConvBlock, x: GroupFeatures): tf.Tensor5D {
  return tf.tidy(() => {
    const keep = block.skipAlign === null;
    const a = block.gconv1.apply(x, { outputElements: keep ? x.elements : undefined });
    const a1 = tf.relu(block.norm1.apply(a.features));
    const b = block.gconv2.apply(
      { features: a1, elements: a.elements },
      { outputElements: keep ? a.elements : undefined },
    );
    const b1 = tf.relu(block.norm2.apply(b.features));
    const skip = block.skipAlign
      ? block.skipAlign.apply(x, { outputElements: b.elements }).features
      : x.features;
    return reluKeepingOutput(tf.add(b1, skip)) as tf.Tensor5D;
  });
}

describe('GroupConvBlock inference folds its batch norms into separable convs', () => {
  it.each([
    ['separable', 8, 8, 1],
    ['separable', 8, 16, 2],
    ['nonseparable', 4, 6, 1],
  ] as Array<[Implementation, number, number, number]>)(
    '%s, %i → %i channels, stride %i: the unfused formula',
    async (implementation, inChannels, outChannels, stride) => {
      const before = tf.memory().numTensors;
      const config = { ...MODEL_PRESETS['se2-separable'], implementation, sampleCount: 4 };
      const factory = layerFactory(config, createRng(3));
      const block = new GroupConvBlock(factory, { inChannels, outChannels, kernelSize: 5, stride });
      expect(block.gconv1.foldsEpilogue).toBe(implementation === 'separable');
      setStatistics(block.norm1, 10);
      setStatistics(block.norm2, 20);
      const features = tf.randomNormal([2, 8, 8, 4, inChannels], 0, 1, 'float32', 4);
      const x = { features: features as tf.Tensor5D, elements: factory.group.subgroup.sample(4) };
      const profile = await tf.profile(() => block.apply(x) as unknown as tf.TensorContainer);
      const out = profile.result as unknown as GroupFeatures;
      // folded: no batch-norm kernel runs, and a fused depthwise conv per conv
      const runs = (kernel: string) => profile.kernels.filter((k) => k.name === kernel).length;
      const folds = implementation === 'separable';
      expect(runs('FusedBatchNorm')).toBe(folds ? 0 : 2);
      expect(runs('FusedDepthwiseConv2D')).toBe(folds ? 2 : 0);
      const expected = unfused(block, x);
      expect(out.features.shape).toEqual(expected.shape);
      expect(await relativeL2(out.features, expected)).toBeLessThanOrEqual(tolerance('exact'));
      tf.dispose([out.features, out.elements, expected, features, x.elements]);
      block.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );
});
