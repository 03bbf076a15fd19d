/**
 * The replica module of `gcnn train|evaluate --workers <n>`, the worker-thread side (see
 * `createDataParallelTrainer` of `@gcnn/training/node`; the main-thread side is
 * start-cli-replicas.ts): every worker thread imports it, selects the run's backend in its own
 * tfjs (as the main thread did, through `@gcnn/backends`: wasm with the training kernels) and
 * builds its replica of the model from the run's model config.
 */
import { createModel, modelConfigFromJson } from '@gcnn/models';
import type { ReplicaContext } from '@gcnn/training/node';
import { type BackendName, selectBackend } from './backend';

/** What `gcnn train` and `gcnn evaluate` pass to their worker threads. */
export interface CliReplicaData {
  backend: BackendName;
  gpuAdapter?: string;
}

/** Selects the backend of this worker thread and builds the replica (`ReplicaModule`). */
export async function createReplicaModel(
  modelConfig: unknown,
  context: ReplicaContext<CliReplicaData>,
) {
  const { backend, gpuAdapter } = context.data;
  await selectBackend(backend, gpuAdapter !== undefined ? { gpuAdapter } : {});
  return createModel(modelConfigFromJson(modelConfig));
}
