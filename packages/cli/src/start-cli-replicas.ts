/**
 * The main-thread side of `gcnn train|evaluate --workers <n>`: checks the flag and starts the
 * worker threads, each running replica-model.ts (the worker side).
 */
import { availableParallelism } from 'node:os';
import {
  createDataParallelTrainer,
  type DataParallelTrainer,
  siblingModuleUrl,
} from '@gcnn/training/node';
import type { BackendName } from './backend';
import type { CliIo } from './io';
import type { CliReplicaData } from './replica-model';
import { UsageError } from './usage-error';

/**
 * `--workers n` (n > 1) runs a replica per thread: only on the one-thread CPU backends, and at
 * most one per core (`os.availableParallelism()`): each replica holds a whole model and backend,
 * and more threads than cores only add memory (1000 workers grew to 3.7 GB before the OOM kill).
 */
export function checkWorkers(command: string, workers: number, backend: BackendName): void {
  if (workers > 1 && backend !== 'wasm' && backend !== 'cpu') {
    throw new UsageError(
      `gcnn ${command}: --workers ${workers} runs one model replica per thread on the one-thread CPU backends (wasm, cpu), not on --backend ${backend}; use --workers 1`,
    );
  }
  const cores = availableParallelism();
  if (workers > cores) {
    throw new UsageError(
      `gcnn ${command}: --workers ${workers} is more than the ${cores} cores available here (os.availableParallelism()); use at most ${cores}`,
    );
  }
}

/** The URL of replica-model (the worker side), next to the running code. */
export function replicaModuleUrl(): URL {
  return siblingModuleUrl(import.meta.url, 'replica-model');
}

/**
 * Starts the `workers − 1` worker threads of `gcnn train|evaluate --workers <n>` (n > 1), each
 * selecting `backend` (and `gpuAdapter`) and building its replica from `modelConfig` with
 * replica-model. Returns the trainer and the "this thread + k worker threads" phrase for the log line.
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

/**
 * `--workers n` of inference (`gcnn evaluate`, `gcnn train --test-only`): with n > 1 starts the
 * replicas and says so on `io.err` (`backendLabel`: the backend as the log names it); with 1, none.
 */
export async function startInferenceReplicas(
  options: Parameters<typeof startCliReplicas>[0],
  backendLabel: string,
  io: CliIo,
): Promise<DataParallelTrainer | undefined> {
  if (options.workers <= 1) return undefined;
  const started = await startCliReplicas(options);
  io.err.write(
    `gcnn: data-parallel inference on ${options.workers} replicas (${started.threads}, backend ${backendLabel} in each)\n`,
  );
  return started.trainer;
}
