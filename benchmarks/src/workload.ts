/**
 * The one workload every benchmark process times: a model of a benchmark configuration, a seeded
 * random batch, and one call of a mode (`train<B>`: @gcnn/training's step, as the main job runs
 * it — `batchGradients` (forward, cross-entropy, backward) and an `Adam` step; `infer<B>`:
 * inference with cached kernels; `infer<B>-nocache`: cache dropped first).
 * Reading the result (synchronously or not) is the caller's: it depends on the backend.
 */
import { createRng } from '@gcnn/lie-groups';
import { createModel, type ModelConfig, type TrainingMemory } from '@gcnn/models';
import { Adam, batchGradients } from '@gcnn/training';
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
  const { images, labels } = seededBatch(bench.config, batch);
  // The training step of @gcnn/training (the main job's): cross-entropy, gradients, Adam.
  const optimizer = new Adam({ weightDecay: 0 });
  const params = model.namedVariables().filter(([, v]) => v.trainable);
  const trainRng = createRng(11);
  return {
    model,
    batch,
    run() {
      if (training) {
        const step = batchGradients(
          model,
          images,
          labels,
          trainRng,
          undefined,
          memory ? { memory } : {},
        );
        optimizer.apply(params, step.grads, 1e-3);
        tf.dispose([step.correct, ...Object.values(step.grads)]);
        return step.loss;
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

/**
 * The benchmarks' batch of `batch` images of `config` (uniform [0, 1) values) and int32 labels,
 * the same draws from the same seed in every process.
 */
export function seededBatch(
  config: ModelConfig,
  batch: number,
): { images: tf.Tensor4D; labels: tf.Tensor1D } {
  const { imageSize: s, inChannels: c, numClasses: k } = config;
  const rng = createRng(7);
  const images = tf.tensor4d(
    Float32Array.from({ length: batch * s * s * c }, () => rng.next()),
    [batch, s, s, c],
  );
  const labels = tf.tensor1d(
    Int32Array.from({ length: batch }, () => Math.floor(rng.next() * k)),
    'int32',
  );
  return { images, labels };
}
