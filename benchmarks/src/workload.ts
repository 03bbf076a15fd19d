/**
 * The one workload every benchmark process times: a model of a benchmark configuration, a seeded
 * random batch, and one call of a mode (`train<B>`: forward + cross-entropy + backward + Adam
 * step; `infer<B>`: inference with cached kernels; `infer<B>-nocache`: cache dropped first).
 * Reading the result (synchronously or not) is the caller's: it depends on the backend.
 */
import { createRng } from '@gcnn/lie-groups';
import { createModel, type TrainingMemory } from '@gcnn/models';
import * as tf from '@tensorflow/tfjs-core';
import { benchConfig } from './configs';

export interface Workload {
  model: ReturnType<typeof createModel>;
  batch: number;
  /** One call of the mode; returns the loss or logits, which the caller reads and disposes. */
  run(): tf.Tensor;
  dispose(): void;
}

/**
 * Builds the workload of `config` (a benchmark id) and `mode` (e.g. `train16`, `infer64-nocache`);
 * training keeps what `memory` says for the backward pass (default the model's, `lean`).
 */
export function createWorkload(config: string, mode: string, memory?: TrainingMemory): Workload {
  const bench = benchConfig(config);
  const model = createModel({ ...bench.config, seed: 1 });
  const training = mode.startsWith('train');
  const match = /(\d+)/.exec(mode);
  if (!match)
    throw new Error(`workload: mode must name a batch size (train16, infer64, …), got '${mode}'`);
  const batch = Number(match[1]);
  const { imageSize: s, inChannels: c, numClasses: k } = bench.config;
  const rng = createRng(7);
  const images = tf.tensor4d(
    Float32Array.from({ length: batch * s * s * c }, () => rng.next()),
    [batch, s, s, c],
  );
  const labels = tf.oneHot(
    tf.tensor1d(
      Int32Array.from({ length: batch }, () => Math.floor(rng.next() * k)),
      'int32',
    ),
    k,
  );
  const optimizer = tf.train.adam(1e-3);
  const vars = model.trainableVariables();
  const trainRng = createRng(11);
  return {
    model,
    batch,
    run() {
      if (training) {
        return optimizer.minimize(
          () =>
            tf.losses.softmaxCrossEntropy(
              labels,
              model.apply(images, { training: true, rng: trainRng, ...(memory ? { memory } : {}) }),
            ) as tf.Scalar,
          true,
          vars,
        ) as tf.Scalar;
      }
      if (mode.endsWith('nocache')) model.invalidateCache();
      return model.apply(images);
    },
    dispose() {
      tf.dispose([images, labels]);
      optimizer.dispose();
      model.dispose();
    },
  };
}
