import type { TrainableModel } from '../trainable-model';

/** What a worker thread tells the app's replica module when it builds its replica. */
export interface ReplicaContext<Data = unknown> {
  /** This replica's index: 1 … replicas − 1 (the main thread is replica 0). */
  replica: number;
  /** Number of replicas, the main thread included. */
  replicas: number;
  /** The trainer's `replicaData` (structured-cloned into the worker), e.g. the backend to select. */
  data: Data;
}

/**
 * The module an app hands to `createDataParallelTrainer` as `replicaModule`. Each worker thread
 * imports it and calls `createReplicaModel` once, before any tensor exists in that thread. It
 * sets up the thread's tfjs backend (the library never does: e.g. `@gcnn/backends`'
 * `selectBackend('wasm')`, which also registers the wasm training kernels) and returns the
 * replica: a model built from `modelConfig` with the same variables (names, shapes, dtypes,
 * trainable flags) as the main thread's model. Its initial values do not matter: the trainer
 * copies the main model's variables into every replica before each step.
 *
 * ```ts
 * // replica.ts — imported by every worker thread
 * import { selectBackend } from '@gcnn/backends';
 * import { createModel, modelConfigFromJson } from '@gcnn/models';
 * import type { ReplicaContext } from '@gcnn/training/node';
 *
 * export async function createReplicaModel(config: unknown, context: ReplicaContext<{ backend: 'wasm' | 'cpu' }>) {
 *   await selectBackend(context.data.backend);
 *   return createModel(modelConfigFromJson(config));
 * }
 * ```
 */
export interface ReplicaModule<Data = unknown> {
  createReplicaModel(
    modelConfig: unknown,
    context: ReplicaContext<Data>,
  ): TrainableModel | Promise<TrainableModel>;
}
