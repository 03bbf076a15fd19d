/**
 * The replica module of the data-parallel benchmark modes (`train16-w2`, …; see
 * parallel-workload.ts): each worker thread selects the measured backend as measure.ts does
 * (wasm with @gcnn/tfjs-wasm-training's kernels) and builds the benchmark model.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { createModel, type ModelConfig } from '@gcnn/models';
import { registerWasmTrainingKernels } from '@gcnn/tfjs-wasm-training';
import type { ReplicaContext } from '@gcnn/training/node';

export async function createReplicaModel(
  config: unknown,
  context: ReplicaContext<{ backend: string }>,
) {
  tf.env().set('PROD', true);
  await tf.setBackend(context.data.backend);
  if (context.data.backend === 'wasm') registerWasmTrainingKernels();
  return createModel(config as ModelConfig);
}
