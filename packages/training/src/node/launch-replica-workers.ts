/**
 * Starting the worker threads of a `DataParallelTrainer`: the worker entry, the replica module's
 * URL, Node options and the handshake until every replica is built.
 */
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type {
  DoneMessage,
  FromWorker,
  InitMessage,
  LogitsMessage,
  VariableSlot,
} from './replica-protocol';
import { siblingModuleUrl } from './sibling-module-url';

/** A worker thread of the trainer: its replica index, its shared gradient buffer, its pending call. */
export interface ReplicaWorker {
  replica: number;
  worker: Worker;
  grads: Float32Array;
  pending: {
    resolve: (m: DoneMessage | LogitsMessage) => void;
    reject: (e: Error) => void;
    step: number;
  } | null;
}

/** What every worker is started with (see {@link launchReplicaWorkers}). */
export interface ReplicaWorkerOptions {
  /** The app's replica module, a URL or an absolute path. */
  replicaModule: string | URL;
  modelConfig: unknown;
  replicaData: unknown;
  /** Replicas in all, this thread's included. */
  replicas: number;
  slots: VariableSlot[];
  /** Shared weights (all variables) and the per-replica step counters. */
  weights: SharedArrayBuffer;
  control: SharedArrayBuffer;
  /** Float32 entries of one worker's gradient buffer. */
  gradElements: number;
  execArgv?: string[];
}

/** The worker entry next to this module, checked to exist (it is missing when the package is not built). */
function workerEntry(): URL {
  const entry = siblingModuleUrl(import.meta.url, 'replica-worker');
  if (entry.protocol === 'file:' && !existsSync(fileURLToPath(entry))) {
    throw new Error(
      `Error in createDataParallelTrainer: the worker entry ${fileURLToPath(entry)} is missing (is @gcnn/training built?)`,
    );
  }
  return entry;
}

function moduleUrl(spec: string | URL): string {
  if (spec instanceof URL) return spec.href;
  if (/^[a-z][a-z0-9+.-]*:/i.test(spec) && !/^[a-z]:[\\/]/i.test(spec)) return new URL(spec).href;
  if (isAbsolute(spec)) return pathToFileURL(spec).href;
  throw new Error(
    `Error in createDataParallelTrainer: replicaModule must be a URL or an absolute path (e.g. new URL('./replica.js', import.meta.url)), got '${spec}'`,
  );
}

const isTypeScript = (href: string) => /\.[cm]?tsx?$/.test(new URL(href).pathname);

/** The `@gcnn/source` export condition: @gcnn packages' TypeScript sources (this monorepo's tests). */
const SOURCE_CONDITION = '@gcnn/source';

/**
 * The process's Node options without the `@gcnn/source` condition: vitest passes it on to run
 * the @gcnn packages from source through Vite, but a worker thread is plain Node, which cannot
 * load their TypeScript sources, so workers resolve @gcnn packages to their built `dist`.
 */
export function workerExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i] as string;
    if ((arg === '--conditions' || arg === '-C') && execArgv[i + 1] === SOURCE_CONDITION) {
      i++;
      continue;
    }
    if (arg === `--conditions=${SOURCE_CONDITION}` || arg === `-C=${SOURCE_CONDITION}`) continue;
    out.push(arg);
  }
  return out;
}

function startWorker(entry: URL, typescript: boolean, execArgv: string[] | undefined): Worker {
  const options = { execArgv: execArgv ?? workerExecArgv() };
  if (!typescript) return new Worker(entry, options);
  // TypeScript (our sources under vitest, or an app's .ts replica module): register tsx's
  // loader in the worker before importing the entry.
  let api: string;
  try {
    api = import.meta.resolve('tsx/esm/api');
  } catch {
    throw new Error(
      'Error in createDataParallelTrainer: a TypeScript replica module needs tsx (npm i -D tsx), or pass the compiled .js module',
    );
  }
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(code, { ...options, eval: true });
}

/** Resolves when `worker` reports its replica built; rejects with its error or exit. */
function whenReady(worker: Worker, replica: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    // Removed again once ready (never removeAllListeners: Worker's own listeners deliver messages).
    const onMessage = (m: FromWorker) => {
      if (m.type === 'ready') {
        off();
        resolve();
      } else if (m.type === 'error') fail(m.message, m.stack);
    };
    const onError = (e: Error) => fail(e.message, e.stack);
    const onExit = (code: number) => fail(`the worker thread exited (code ${code})`);
    const off = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const fail = (message: string, stack?: string) => {
      off();
      reject(
        new Error(
          `Error in createDataParallelTrainer: replica ${replica} (worker thread) failed to start: ${message}`,
          stack ? { cause: stack } : undefined,
        ),
      );
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

/**
 * Starts `replicas − 1` worker threads, each importing the replica module and building its
 * replica (`createReplicaModel(modelConfig, { replica, replicas, data: replicaData })`, its
 * variables checked against `slots`), and resolves once all are ready, unref'd (idle workers do
 * not keep the process alive). A worker that fails to start rejects with its message, after every
 * worker was terminated.
 */
export async function launchReplicaWorkers(
  options: ReplicaWorkerOptions,
): Promise<ReplicaWorker[]> {
  const module = moduleUrl(options.replicaModule);
  const entry = workerEntry();
  const typescript = isTypeScript(entry.href) || isTypeScript(module);
  const workers: ReplicaWorker[] = [];
  try {
    const ready: Array<Promise<void>> = [];
    for (let replica = 1; replica < options.replicas; replica++) {
      const worker = startWorker(entry, typescript, options.execArgv);
      const grads = new SharedArrayBuffer(4 * Math.max(1, options.gradElements));
      workers.push({ replica, worker, grads: new Float32Array(grads), pending: null });
      ready.push(whenReady(worker, replica));
      const init: InitMessage = {
        type: 'init',
        module,
        modelConfig: options.modelConfig,
        data: options.replicaData,
        replica,
        replicas: options.replicas,
        slots: options.slots,
        weights: options.weights,
        grads,
        control: options.control,
      };
      worker.postMessage(init);
    }
    await Promise.all(ready);
  } catch (error) {
    await Promise.all(workers.map((w) => w.worker.terminate()));
    throw error;
  }
  for (const w of workers) w.worker.unref();
  return workers;
}
