/**
 * Behaviour of the models: kernel caching in inference, training (gradients, running statistics,
 * reproducible dropout and `uniform` sampling), shapes of every architecture, naming.
 */

import { GroupConv2D, LiftingConv2D } from '@gcnn/group-conv';
import { createRng } from '@gcnn/lie-groups';
import { maxAbsDiff, testModelConfig } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createModel } from './create-model';
import type { ModelConfig } from './model-config';

const SMALL: ModelConfig = testModelConfig('ckgresnet');

function images(config: ModelConfig, batch = 2, seed = 1): tf.Tensor4D {
  return tf.randomUniform(
    [batch, config.imageSize, config.imageSize, config.inChannels],
    -1,
    1,
    'float32',
    seed,
  ) as tf.Tensor4D;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('inference caches kernels', () => {
  it('a second inference call samples no kernel and gives identical logits; training invalidates', async () => {
    const model = createModel(SMALL);
    const x = images(SMALL);
    const groupSpy = vi.spyOn(GroupConv2D.prototype, 'sampleKernels');
    const liftSpy = vi.spyOn(LiftingConv2D.prototype, 'sampleFilter');
    const calls = () => groupSpy.mock.calls.length + liftSpy.mock.calls.length;

    const a = model.apply(x);
    // lifting + 2 × gconv1/gconv2 + 1 skipAlign + final conv
    expect(calls()).toBe(7);
    const b = model.apply(x);
    expect(calls()).toBe(7);
    expect(await maxAbsDiff(a, b)).toBe(0);

    const t = model.apply(x, { training: true, rng: createRng(1) });
    expect(calls()).toBe(14);
    const c = model.apply(x);
    expect(calls()).toBe(21); // the training call dropped the caches
    tf.dispose([a, b, c, t, x]);
    model.dispose();
  });
});

describe('training', () => {
  it('gives a gradient for every trainable variable and updates BatchNorm running statistics', async () => {
    const model = createModel(SMALL);
    const x = images(SMALL, 4);
    const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3));
    const runningMean = () =>
      model
        .namedVariables()
        .find(([n]) => n === 'layers.0.runningMean')![1]
        .array();
    const before = (await runningMean()) as number[];
    const rng = createRng(9);
    const { value, grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true, rng })),
      model.trainableVariables(),
    );
    for (const v of model.trainableVariables()) {
      const g = grads[v.name];
      expect(g, v.name).toBeDefined();
      expect(g!.shape).toEqual(v.shape);
      const absSum = tf.tidy(() => tf.sum(tf.abs(g!)));
      expect(Number.isFinite((await absSum.data())[0]!)).toBe(true);
      absSum.dispose();
    }
    const squares = tf.tidy(() => tf.stack(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
    const gradNorm = Array.from(await squares.data()).reduce((s, v) => s + v, 0);
    squares.dispose();
    expect(gradNorm).toBeGreaterThan(0);
    const after = (await runningMean()) as number[];
    expect(after).not.toEqual(before);
    tf.dispose([value, x, labels, ...Object.values(grads)]);
    model.dispose();
  });

  it('dropout and uniform sampling are reproducible from options.rng', async () => {
    const run = async (rngSeed: number) => {
      const model = createModel(SMALL);
      const x = images(SMALL, 3);
      const y = model.apply(x, { training: true, rng: createRng(rngSeed) });
      const values = await y.array();
      tf.dispose([x, y]);
      model.dispose();
      return values;
    };
    expect(await run(4)).toEqual(await run(4));
    expect(await run(4)).not.toEqual(await run(5));
  });

  it('the same seed gives the same weights; another seed other weights', async () => {
    const first = async (seed: number) => {
      const model = createModel({ ...SMALL, seed });
      const values = await Promise.all(
        model.namedVariables().map(async ([, v]) => Array.from(await v.data())),
      );
      model.dispose();
      return values;
    };
    expect(await first(3)).toEqual(await first(3));
    expect(await first(3)).not.toEqual(await first(4));
  });
});

describe('architectures', () => {
  it('ckgresnet: stage outputs as reference §5.1 (README-like widths, smaller)', () => {
    const config: ModelConfig = { ...SMALL, imageSize: 28, kernelSize: 7, dropout: 0 };
    const model = createModel(config);
    const x = images(config);
    const { logits, intermediates } = model.applyTraced(x);
    expect(intermediates.lifting!.shape).toEqual([2, 28, 28, 4, 4]);
    expect(intermediates['layers.2']!.shape).toEqual([2, 28, 28, 4, 4]);
    expect(intermediates['layers.4']!.shape).toEqual([2, 14, 14, 4, 4]);
    expect(intermediates['layers.6']!.shape).toEqual([2, 14, 14, 4, 8]);
    expect(intermediates['layers.8']!.shape).toEqual([2, 7, 7, 4, 8]);
    expect(intermediates['layers.10']!.shape).toEqual([2, 5, 5, 4, 8]); // last k = 3
    expect(intermediates['finalLinear.input']!.shape).toEqual([2, 8]);
    expect(logits.shape).toEqual([2, 3]);
    tf.dispose([logits, x, ...Object.values(intermediates)]);
    model.dispose();
  });

  it('ckgresnet with stride 2 and no pooling, layernorm, widenFactor 1.5', () => {
    const config: ModelConfig = {
      ...SMALL,
      hiddenSizes: [4, 6],
      widenFactor: 1.5,
      stride: 2,
      pooling: false,
      normalization: 'layernorm',
      imageSize: 16,
    };
    const model = createModel(config);
    const x = images(config);
    const { logits, intermediates } = model.applyTraced(x);
    expect(intermediates['layers.3']!.shape).toEqual([2, 8, 8, 4, 9]); // norm, dropout, relu, block
    expect(logits.shape).toEqual([2, 3]);
    expect(model.namedVariables().some(([n]) => n.startsWith('layers.0.'))).toBe(false);
    tf.dispose([logits, x, ...Object.values(intermediates)]);
    model.dispose();
  });

  it('ckgcnn: pooled lifting, plain group convs, kernel imageSize // 2^len(hidden)', () => {
    const config: ModelConfig = { ...SMALL, model: 'ckgcnn', imageSize: 16, dropout: 0 };
    const model = createModel(config);
    const x = images(config);
    const { logits, intermediates } = model.applyTraced(x);
    expect(intermediates['layers.1']!.shape).toEqual([2, 8, 8, 4, 4]);
    expect(intermediates['layers.9']!.shape).toEqual([2, 2, 2, 4, 8]); // 16 → 8 → 4 → 2
    expect(intermediates['layers.11']!.shape).toEqual([2, 1, 1, 4, 8]); // kernel 16 // 2³ = 2
    expect(logits.shape).toEqual([2, 3]);
    tf.dispose([logits, x, ...Object.values(intermediates)]);
    model.dispose();
  });

  it('ckgallcnnc: fixed widths × widenFactor, 1×1 group conv classifier, no head', () => {
    const config: ModelConfig = {
      ...SMALL,
      model: 'ckgallcnnc',
      widenFactor: 1 / 24,
      imageSize: 8,
      kernelSize: 3,
    };
    const model = createModel(config);
    const x = images(config);
    const { logits, intermediates } = model.applyTraced(x);
    expect(intermediates['layers.27']!.shape).toEqual([2, 2, 2, 4, 8]);
    expect(logits.shape).toEqual([2, 3]);
    expect(model.namedVariables().some(([n]) => n.startsWith('finalLinear.kernelH.'))).toBe(true);
    const y = model.apply(x, { training: true, rng: createRng(2) });
    expect(y.shape).toEqual([2, 3]);
    tf.dispose([logits, x, y, ...Object.values(intermediates)]);
    model.dispose();
  });

  it('rejects images with the wrong number of channels', () => {
    const model = createModel(SMALL);
    const x = tf.zeros([1, 12, 12, 3]) as tf.Tensor4D;
    expect(() => model.apply(x)).toThrow(/GroupClassifier.apply: x has 3 channels/);
    x.dispose();
    model.dispose();
  });

  it('rejects images of another size than the model was built for, in inference and training', () => {
    const model = createModel(SMALL);
    const size = SMALL.imageSize;
    for (const [h, w] of [
      [size + 1, size + 1],
      [size, size - 1],
    ] as const) {
      const x = tf.zeros([2, h, w, SMALL.inChannels]) as tf.Tensor4D;
      const message = `GroupClassifier.apply: images are ${h}×${w} (shape [2,${h},${w},${SMALL.inChannels}]), the model was built for ${size}×${size} (config.imageSize)`;
      expect(() => model.apply(x)).toThrow(message);
      expect(() => model.apply(x, { training: true, rng: createRng(1) })).toThrow(message);
      x.dispose();
    }
    model.dispose();
  });
});
