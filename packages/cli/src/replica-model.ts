/**
 * The replica module of `gcnn train|evaluate --workers <n>` (see `createDataParallelTrainer` of
 * `@gcnn/training/node`): every worker thread imports it, selects the run's backend in its own
 * tfjs (as the main thread did, through `@gcnn/backends`: wasm with the training kernels) and
 * builds its replica of the model from the run's model config.
 */
import { createModel, modelConfigFromJson } from '@gcnn/models';
import {
  createDataParallelTrainer,
  type DataParallelTrainer,
  type ReplicaContext,
} from '@gcnn/training/node';
import { type BackendName, selectBackend } from './backend';
import { UsageError } from './flags';

/** `--workers n` (n > 1) runs a replica per thread: only on the one-thread CPU backends. */
export function checkWorkers(command: string, workers: number, backend: BackendName): void {
  if (workers > 1 && backend !== 'wasm' && backend !== 'cpu') {
    throw new UsageError(
      `gcnn ${command}: --workers ${workers} runs one model replica per thread on the one-thread CPU backends (wasm, cpu), not on --backend ${backend}; use --workers 1`,
    );
  }
}

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

/** This module's URL next to the running code: the .ts source under tsx/vitest, else the built .js. */
export function replicaModuleUrl(): URL {
  const here = import.meta.url;
  return new URL(here.endsWith('.ts') ? './replica-model.ts' : './replica-model.js', here);
}

/**
 * Starts the `workers − 1` worker threads of `gcnn train|evaluate --workers <n>` (n > 1), each
 * selecting `backend` (and `gpuAdapter`) and building its replica from `modelConfig` with this
 * module. Returns the trainer and the "this thread + k worker threads" phrase for the log line.
 */
export async function startCliReplicas(options: {
  model: Parameters<typeof createDataParallelTrainer>[0]['model'];
  modelConfig: unknown;
  workers: number;
  backend: BackendName;
  gpuAdapter: string | undefined;
}): Promise<{ trainer: DataParallelTrainer; threads: string }> {
  const { model, modelConfig, workers, backend, gpuAdapter } = options;
  const replicaData: CliReplicaData = {
    backend,
    ...(gpuAdapter !== undefined ? { gpuAdapter } : {}),
  };
  const trainer = await createDataParallelTrainer({
    model,
    replicas: workers,
    replicaModule: replicaModuleUrl(),
    modelConfig,
    replicaData,
  });
  const threads = `this thread + ${workers - 1} worker thread${workers > 2 ? 's' : ''}`;
  return { trainer, threads };
}
