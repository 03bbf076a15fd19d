/**
 * The data-parallel modes on @gcnn/training/node's DataParallelTrainer with R replicas — this
 * thread plus R−1 worker threads (replica.ts), each with its own backend:
 * - `train<B>-w<R>`: one step of workload.ts's `train<B>` (same model, same seeded batch, Adam
 *   1e-3) with @gcnn/training's cross-entropy and Adam;
 * - `infer<B>-w<R>`: `trainer.predict` of the batch (each replica with its cached kernels, as
 *   workload.ts's `infer<B>`).
 * `-w1` runs the same code on one thread (no worker).
 */
import { createRng } from '@gcnn/lie-groups';
import { createModel, type TrainingMemory } from '@gcnn/models';
import { Adam } from '@gcnn/training';
import {
  createDataParallelTrainer,
  type DataParallelTrainer,
  siblingModuleUrl,
} from '@gcnn/training/node';
import * as tf from '@tensorflow/tfjs-core';
import { benchConfig } from './configs';
import { seededBatch } from './workload';

export interface ParallelWorkload {
  model: ReturnType<typeof createModel>;
  batch: number;
  replicas: number;
  trainer: DataParallelTrainer;
  /** One training step or prediction; returns the loss or logits, which the caller reads and disposes. */
  run(): Promise<tf.Tensor>;
  dispose(): Promise<void>;
}

/** Whether `mode` is a data-parallel mode (`train16-w2`). */
export const isParallelMode = (mode: string): boolean => /^(train|infer)\d+-w\d+$/.test(mode);

export async function createParallelWorkload(
  config: string,
  backend: string,
  mode: string,
  memory?: TrainingMemory,
): Promise<ParallelWorkload> {
  const match = /^(train|infer)(\d+)-w(\d+)$/.exec(mode);
  if (!match) {
    throw new Error(
      `parallel workload: mode must be train<B>-w<R> or infer<B>-w<R>, got '${mode}'`,
    );
  }
  const training = match[1] === 'train';
  const [batch, replicas] = [Number(match[2]), Number(match[3])];
  const bench = benchConfig(config);
  const modelConfig = { ...bench.config, seed: 1 };
  const model = createModel(modelConfig);
  const { images, labels } = seededBatch(modelConfig, batch);
  const trainer = await createDataParallelTrainer({
    model,
    replicas,
    replicaModule: siblingModuleUrl(import.meta.url, 'replica'),
    modelConfig,
    replicaData: { backend },
  });
  const optimizer = new Adam({ weightDecay: 0 });
  const params = model.namedVariables().filter(([, v]) => v.trainable);
  const trainRng = createRng(11);
  return {
    model,
    batch,
    replicas,
    trainer,
    async run() {
      if (!training) return trainer.predict(images);
      const g = await trainer.computeGradients(images, labels, trainRng, memory ? { memory } : {});
      optimizer.apply(params, g.grads, 1e-3);
      tf.dispose([g.correct, ...Object.values(g.grads)]);
      return g.loss;
    },
    async dispose() {
      await trainer.close();
      tf.dispose([images, labels]);
      optimizer.dispose();
      model.dispose();
    },
  };
}
