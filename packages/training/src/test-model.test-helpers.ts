import { createDataset, type Dataset } from '@gcnn/datasets';
import type { Rng } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';
import type { EncodedCheckpoint } from './checkpoint';
import type { MetricsRecord } from './metrics';
import type { TrainOptions } from './train';
import type { TrainConfig } from './train-config';
import type { TrainableModel } from './trainable-model';

const TOY_TRAIN = toyDataset(40, 1, 'toy-train');
const TOY_TEST = toyDataset(24, 2, 'toy-test');

/** Options of `train` on the toy sets (40 training, 24 test images) with their normalization. */
export function toyTrainOptions(
  model: TrainableModel,
  config: TrainConfig,
  extra: Partial<TrainOptions> = {},
): TrainOptions {
  return {
    model,
    trainSet: TOY_TRAIN,
    testSet: TOY_TEST,
    config,
    normalization: { mean: [0.4], std: [0.3] },
    ...extra,
  };
}

/** A sink that records everything a run writes: its metrics records and encoded checkpoints. */
export function memorySink() {
  const records: MetricsRecord[] = [];
  const checkpoints: EncodedCheckpoint[] = [];
  return {
    records,
    checkpoints,
    sink: {
      metrics: async (r: MetricsRecord) => void records.push(structuredClone(r)),
      checkpoint: async (c: EncodedCheckpoint) => void checkpoints.push(c),
    },
  };
}

/**
 * A tiny stand-in classifier for trainer tests (the trainer needs only the `TrainableModel`
 * contract): flatten → dense → dropout (from `rng`) → dense, plus a non-trainable running mean
 * updated in training (like BatchNorm statistics).
 */
export class TinyClassifier implements TrainableModel {
  readonly config: { kind: 'tiny'; inputs: number; classes: number; seed: number };
  private readonly vars: Array<[string, tf.Variable]>;

  constructor(inputs: number, classes: number, seed = 0) {
    this.config = { kind: 'tiny', inputs, classes, seed };
    const variable = (make: () => tf.Tensor, trainable: boolean) => {
      const t = make();
      const v = tf.variable(t, trainable);
      t.dispose();
      return v;
    };
    this.vars = [
      ['w1', variable(() => tf.randomNormal([inputs, 8], 0, 0.3, 'float32', seed), true)],
      ['b1', variable(() => tf.zeros([8]), true)],
      ['w2', variable(() => tf.randomNormal([8, classes], 0, 0.3, 'float32', seed + 1), true)],
      ['runningMean', variable(() => tf.zeros([8]), false)],
    ];
  }

  private v(name: string): tf.Variable {
    return this.vars.find(([n]) => n === name)?.[1] as tf.Variable;
  }

  apply(images: tf.Tensor4D, options: { training?: boolean; rng?: Rng } = {}): tf.Tensor2D {
    return tf.tidy(() => {
      const x = tf.reshape(images, [images.shape[0], -1]) as tf.Tensor2D;
      let h = tf.relu(tf.add(tf.matMul(x, this.v('w1')), this.v('b1'))) as tf.Tensor2D;
      if (options.training) {
        const mean = tf.mean(h, 0);
        this.v('runningMean').assign(tf.add(tf.mul(this.v('runningMean'), 0.9), tf.mul(mean, 0.1)));
        const rng = options.rng;
        if (rng) {
          const keep = Array.from({ length: h.size }, () => (rng.next() < 0.8 ? 1.25 : 0));
          h = tf.mul(h, tf.tensor2d(keep, h.shape as [number, number]));
        }
      }
      return tf.matMul(h, this.v('w2'));
    });
  }

  namedVariables(): Array<[string, tf.Variable]> {
    return [...this.vars];
  }

  setWeights(weights: Record<string, tf.Tensor>): void {
    for (const [name, v] of this.vars) {
      const w = weights[name];
      if (!w) throw new Error(`Error in setWeights: missing weights ${name}`);
      v.assign(w);
    }
  }

  invalidateCache(): void {}

  dispose(): void {
    for (const [, v] of this.vars) v.dispose();
  }
}

/** A seeded synthetic 4×4×1 dataset of 3 classes (class = brightest quadrant row, noisy). */
export function toyDataset(count: number, seed: number, name = 'toy'): Dataset {
  let s = seed >>> 0;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const images = new Uint8Array(count * 16);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const y = Math.floor(rand() * 3);
    labels[i] = y;
    for (let p = 0; p < 16; p++)
      images[i * 16 + p] = Math.floor(rand() * 80 + (Math.floor(p / 4) === y ? 150 : 0));
  }
  return createDataset({
    name,
    images,
    labels,
    count,
    height: 4,
    width: 4,
    channels: 1,
    numClasses: 3,
  });
}
