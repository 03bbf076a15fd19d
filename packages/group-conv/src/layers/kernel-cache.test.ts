import { createRng, SE2, Sim2 } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { GroupConv2D } from './group-conv-2d';
import { LiftingConv2D } from './lifting-conv-2d';

const kernelNet = { hiddenSize: 8, numHidden: 1 };

describe('kernel caching in inference', () => {
  it('reuses sampled kernels until a training call or new weights, with identical outputs', async () => {
    const lifting = new LiftingConv2D({
      group: SE2,
      sampleCount: 4,
      inChannels: 1,
      outChannels: 2,
      kernelSize: 3,
      kernelNet,
    });
    const conv = new GroupConv2D({
      group: SE2,
      sampleCount: 4,
      implementation: 'separable',
      inChannels: 2,
      outChannels: 2,
      kernelSize: 3,
      kernelNet,
    });
    const liftSpy = vi.spyOn(lifting, 'sampleFilter');
    const convSpy = vi.spyOn(conv, 'sampleKernels');
    const x = tf.randomUniform([1, 7, 7, 1], -1, 1, 'float32', 1) as tf.Tensor4D;
    const run = async (training: boolean) => {
      const y = tf.tidy(() => conv.apply(lifting.apply(x, { training }), { training }).features);
      const values = await y.array();
      y.dispose();
      return values;
    };
    const first = await run(false);
    const second = await run(false);
    expect(second).toEqual(first);
    expect(liftSpy).toHaveBeenCalledTimes(1);
    expect(convSpy).toHaveBeenCalledTimes(1);
    expect(await run(true)).toEqual(first); // same weights: same values, freshly sampled
    expect(convSpy).toHaveBeenCalledTimes(2);
    await run(false);
    expect(convSpy).toHaveBeenCalledTimes(3); // the training call dropped the cache
    const weights = Object.fromEntries(conv.namedVariables().map(([n, v]) => [n, tf.mul(v, 2)]));
    conv.setWeights(weights);
    tf.dispose(Object.values(weights));
    expect(await run(false)).not.toEqual(first);
    expect(convSpy).toHaveBeenCalledTimes(4);
    x.dispose();
    lifting.dispose();
    conv.dispose();
  });

  it('holds no tensors beyond its weights once disposed', () => {
    const before = tf.memory().numTensors;
    const conv = new GroupConv2D({
      group: Sim2({ maxScale: 1.5 }),
      sampleCount: [4, 2],
      implementation: 'separable+2d',
      inChannels: 2,
      outChannels: 2,
      kernelSize: 3,
      kernelNet,
    });
    const elements = conv.options.group.subgroup.sample([4, 2]);
    const x = tf.zeros([1, 5, 5, 8, 2]) as tf.Tensor5D;
    tf.tidy(() => {
      conv.apply({ features: x, elements });
    });
    tf.dispose([x, elements]);
    conv.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('computes kernel-net coordinates once per elements tensor, in training too', async () => {
    const before = tf.memory().numTensors;
    for (const sampling of ['discretize', 'uniform'] as const) {
      const group = { ...SE2, subgroup: Object.create(SE2.subgroup) } as typeof SE2;
      const inverseAct = vi.spyOn(group.subgroup, 'inverseAct');
      const relative = vi.spyOn(group.subgroup, 'relativeCoordinates');
      const conv = new GroupConv2D({
        group,
        sampleCount: 4,
        sampling,
        implementation: 'separable',
        inChannels: 2,
        outChannels: 3,
        kernelSize: 3,
        kernelNet,
      });
      const x = tf.randomUniform([1, 5, 5, 4, 2], -1, 1, 'float32', 1) as tf.Tensor5D;
      const elements = group.subgroup.sample(conv.grid);
      inverseAct.mockClear();
      const rng = createRng(3);
      // An asynchronous read: WebGPU in Node cannot read a buffer back synchronously.
      const run = async () => {
        const total = tf.tidy(() =>
          tf.sum(conv.apply({ features: x, elements }, { training: true, rng }).features),
        );
        const [value] = await total.data();
        total.dispose();
        return value;
      };
      const first = await run();
      const second = await run();
      if (sampling === 'discretize') expect(second).toBe(first);
      const calls = sampling === 'discretize' ? 1 : 2; // uniform: new output elements per call
      expect(inverseAct).toHaveBeenCalledTimes(calls);
      expect(relative).toHaveBeenCalledTimes(calls);
      tf.dispose([x, elements]);
      conv.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
