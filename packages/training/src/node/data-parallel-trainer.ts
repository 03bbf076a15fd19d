import type { Rng as GroupRng } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';
import {
  batchGradients,
  type DataParallel,
  type StepGradients,
  type StepOptions,
  shardSizes,
} from '../data-parallel';
import type { TrainableModel } from '../trainable-model';
import { combineShardGradients } from './combine-shard-gradients';
import { launchReplicaWorkers, type ReplicaWorker } from './launch-replica-workers';
import {
  type DoneMessage,
  type FromWorker,
  type LogitsMessage,
  layoutSlots,
  type PredictMessage,
  type StepMessage,
  type VariableSlot,
} from './replica-protocol';
import { scatterShards } from './scatter-shards';

/** Options of {@link createDataParallelTrainer}. */
export interface DataParallelOptions {
  /** Replica 0, in this thread: the model the optimizer updates, evaluates and checkpoints. */
  model: TrainableModel;
  /**
   * Number of replicas, this thread included: `replicas − 1` worker threads are started. An
   * integer ≥ 1; 1 starts no thread (steps run as without data parallelism).
   */
  replicas: number;
  /**
   * The app's replica module (see {@link ReplicaModule}): a `URL`, a `file:` URL string or an
   * absolute path, e.g. `new URL('./replica.js', import.meta.url)`. A TypeScript module (`.ts`)
   * is loaded through tsx, which must then be installed.
   */
  replicaModule: string | URL;
  /** The config each replica is built from (structured-cloned). Default `model.config`. */
  modelConfig?: unknown;
  /** Passed to `createReplicaModel` as `context.data` (structured-cloned), e.g. `{ backend: 'wasm' }`. */
  replicaData?: unknown;
  /**
   * Node options of the worker threads. Default: the process's (as `new Worker`), less the
   * `@gcnn/source` condition (see `workerExecArgv` in launch-replica-workers.ts).
   */
  execArgv?: string[];
}

/** Where the time of the last step went (milliseconds). */
export interface DataParallelStepTiming {
  /** The whole `computeGradients` call. */
  totalMs: number;
  /** Per replica: its forward + backward of its shard (workers: with weights in and gradients out); 0 for an empty shard. */
  replicaMs: number[];
  /** Reading this thread's variables and the batch into shared memory before the step. */
  syncMs: number;
  /** Combining the gradients after the replicas finished. */
  combineMs: number;
}

/**
 * Data-parallel training over `worker_threads` (Node only): one replica of the model per thread,
 * each with its own tfjs and backend, so a step uses as many cores as there are replicas (tfjs
 * runs the wasm backend on one thread in Node). Build one with {@link createDataParallelTrainer};
 * pass it to `train({ dataParallel })`, or call {@link computeGradients} and apply an optimizer
 * to {@link model} yourself; {@link close} it when done.
 *
 * A step (`computeGradients(xs, ys, rng)`, batch of B rows):
 * 1. this thread writes all of `model`'s variables (trainable and not) to shared memory, and the
 *    batch's shards go to the workers: contiguous rows, sizes from `shardSizes(B, replicas)`
 *    (differing by ≤ 1; replica 0 takes the first rows);
 * 2. every replica copies those variables, sets its rng to `rng`'s state at the call (so
 *    `uniform` group-element sampling draws the same grids everywhere) and computes the mean
 *    cross-entropy of its shard and its gradients; dropout uses the rows of the whole batch's
 *    masks (`apply`'s `shard` option), as one call on the whole batch would;
 * 3. the gradients come back through shared memory (one `SharedArrayBuffer` per worker) and are
 *    combined weighted by shard size, `Σ_r (n_r / B)·g_r` — for a model whose rows do not
 *    interact this is the gradient of the whole batch's mean loss, up to float32 round-off; the
 *    loss likewise, and the hits are summed.
 *
 * The optimizer step is the caller's, on `model` in this thread; the next step carries the new
 * weights to the workers, so every replica always computes with replica 0's weights.
 *
 * Batch norm: each replica normalises its shard with the shard's own batch statistics (as
 * PyTorch DistributedDataParallel without SyncBatchNorm), so the step differs from the
 * single-thread step; the result is the shard-size-weighted mean of the per-shard gradients. The
 * running statistics are replica 0's (this thread's, updated from its shard only); the workers'
 * are overwritten from it each step and never used.
 *
 * Errors in a worker (in the replica module, a kernel, out of memory) reject the call with the
 * worker's message (its stack as `cause`); the trainer is then unusable and should be closed.
 * Idle workers do not keep the process alive; {@link close} terminates them.
 */
export class DataParallelTrainer implements DataParallel {
  /** The time split of the last step (undefined before the first, or with 1 replica). */
  lastStep: DataParallelStepTiming | undefined;
  private step = 0;
  private busy = false;
  private closing = false;
  private failure: Error | null = null;
  private readonly variables: tf.Variable[];

  /** @internal Use {@link createDataParallelTrainer}. */
  constructor(
    readonly model: TrainableModel,
    readonly replicas: number,
    private readonly slots: VariableSlot[],
    private readonly workers: ReplicaWorker[],
    private readonly weights: { f32: Float32Array; i32: Int32Array },
    private readonly control: Int32Array,
  ) {
    const own = new Map(model.namedVariables());
    this.variables = slots.map((s) => own.get(s.name) as tf.Variable);
    for (const w of workers) this.listen(w);
  }

  private listen(w: ReplicaWorker): void {
    w.worker.on('message', (m: FromWorker) => {
      if (m.type === 'done') {
        const p = w.pending;
        if (!p || p.step !== m.step) return;
        w.pending = null;
        w.worker.unref();
        if (Atomics.load(this.control, w.replica) !== m.step) {
          p.reject(this.fail(w.replica, `gradients of step ${m.step} missing in shared memory`));
        } else p.resolve(m);
      } else if (m.type === 'logits') {
        const p = w.pending;
        if (!p || p.step !== m.step) return;
        w.pending = null;
        w.worker.unref();
        p.resolve(m);
      } else if (m.type === 'error') {
        this.reject(w, this.fail(w.replica, m.message, m.stack));
      }
    });
    w.worker.on('error', (e) => this.reject(w, this.fail(w.replica, e.message, e.stack)));
    w.worker.on('messageerror', (e) => this.reject(w, this.fail(w.replica, e.message, e.stack)));
    w.worker.on('exit', (code) => {
      const error = this.closing
        ? new Error('Error in DataParallelTrainer: closed while a step was running')
        : this.fail(w.replica, `the worker thread exited (code ${code})`);
      this.reject(w, error);
    });
  }

  private fail(replica: number, message: string, stack?: string): Error {
    const error = new Error(
      `Error in DataParallelTrainer: replica ${replica} (worker thread) failed: ${message}`,
      stack ? { cause: stack } : undefined,
    );
    if (!this.failure && !this.closing) this.failure = error;
    return this.failure ?? error;
  }

  private reject(w: ReplicaWorker, error: Error): void {
    const p = w.pending;
    w.pending = null;
    w.worker.unref();
    p?.reject(error);
  }

  private run(w: ReplicaWorker, message: StepMessage): Promise<DoneMessage> {
    return this.send(w, message, [
      message.images.buffer as ArrayBuffer,
      message.labels.buffer as ArrayBuffer,
    ]) as Promise<DoneMessage>;
  }

  private send(
    w: ReplicaWorker,
    message: StepMessage | PredictMessage,
    transfer: ArrayBuffer[],
  ): Promise<DoneMessage | LogitsMessage> {
    return new Promise<DoneMessage | LogitsMessage>((resolve, reject) => {
      w.pending = { resolve, reject, step: message.step };
      w.worker.ref();
      w.worker.postMessage(message, transfer);
    });
  }

  /** Writes this thread's variables to shared memory as version `step`. */
  private async publishWeights(step: number): Promise<void> {
    const values = await Promise.all(this.variables.map((v) => v.data()));
    this.slots.forEach((slot, i) => {
      const target = slot.dtype === 'float32' ? this.weights.f32 : this.weights.i32;
      target.set(values[i] as Float32Array | Int32Array, slot.offset);
    });
    Atomics.store(this.control, 0, step);
  }

  /**
   * Inference logits `[B, classes]` of the images `xs` `[B, h, w, c]` over all replicas, with
   * `model`'s current variables: contiguous shards ({@link shardSizes}), each replica runs
   * `apply(shard, { training: false })` (running batch-norm statistics, no dropout, cached
   * kernels — a worker reloads weights, and so regenerates its kernels, only when they changed
   * since its last call), and the logits are concatenated in batch order, so they equal one
   * `model.apply(xs)` up to float32 round-off. `xs` stays the caller's; the result is the
   * caller's to dispose. One call at a time (shared with {@link computeGradients}).
   */
  async predict(xs: tf.Tensor4D): Promise<tf.Tensor2D> {
    if (this.closing) throw new Error('Error in DataParallelTrainer: closed');
    if (this.failure) throw this.failure;
    if (this.busy) {
      throw new Error(
        'Error in DataParallelTrainer.predict: a step or prediction is already running',
      );
    }
    if (xs.rank !== 4) {
      throw new Error(
        `Error in DataParallelTrainer.predict: xs must be [B, h, w, c], got [${xs.shape}]`,
      );
    }
    if (this.workers.length === 0) return this.model.apply(xs, { training: false });
    this.busy = true;
    try {
      return await this.parallelPredict(xs);
    } finally {
      this.busy = false;
    }
  }

  private async parallelPredict(xs: tf.Tensor4D): Promise<tf.Tensor2D> {
    const [batch, h, w, c] = xs.shape;
    const sizes = shardSizes(batch, this.replicas);
    const step = ++this.step;
    await this.publishWeights(step);
    const xData = (await xs.data()) as Float32Array;
    const row = h * w * c;
    const { own, replies } = await scatterShards({
      workers: this.workers,
      sizes,
      send: (worker, offset, size) => {
        const images = xData.slice(offset * row, (offset + size) * row);
        const message: PredictMessage = {
          type: 'predict',
          step,
          images,
          imageShape: [size, h, w, c],
        };
        return this.send(worker, message, [images.buffer as ArrayBuffer]) as Promise<LogitsMessage>;
      },
      computeOwn: () =>
        tf.tidy(() => this.model.apply(tf.slice(xs, 0, sizes[0]), { training: false })),
      disposeOwn: (logits) => logits.dispose(),
    });
    return tf.tidy(() => {
      const parts = replies.map(({ reply }) => tf.tensor2d(reply.logits, reply.shape));
      const all = tf.concat([own, ...parts], 0) as tf.Tensor2D;
      own.dispose();
      return all;
    });
  }

  /**
   * Loss, hits and gradients of the batch `xs` `[B, h, w, c]` float32, `ys` `[B]` int32 over all
   * replicas (see the class comment); `rng` starts every replica's forward in its current state
   * and ends as replica 0's forward left it; `options` (memory mode, micro-batches) applies to
   * every replica's shard. `xs`, `ys` stay the caller's; the result's tensors are the caller's to
   * dispose. One call at a time.
   */
  async computeGradients(
    xs: tf.Tensor4D,
    ys: tf.Tensor1D,
    rng: GroupRng,
    options: StepOptions = {},
  ): Promise<StepGradients> {
    if (this.closing) throw new Error('Error in DataParallelTrainer: closed');
    if (this.failure) throw this.failure;
    if (this.busy) {
      throw new Error('Error in DataParallelTrainer.computeGradients: a step is already running');
    }
    if (xs.rank !== 4 || ys.rank !== 1 || xs.shape[0] !== ys.shape[0]) {
      throw new Error(
        `Error in DataParallelTrainer.computeGradients: xs must be [B, h, w, c] and ys [B], got [${xs.shape}] and [${ys.shape}]`,
      );
    }
    if (this.workers.length === 0) {
      return batchGradients(this.model, xs, ys, rng, undefined, options);
    }
    this.busy = true;
    try {
      return await this.parallelStep(xs, ys, rng, options);
    } finally {
      this.busy = false;
    }
  }

  private async parallelStep(
    xs: tf.Tensor4D,
    ys: tf.Tensor1D,
    rng: GroupRng,
    options: StepOptions,
  ): Promise<StepGradients> {
    const t0 = performance.now();
    const [batch, h, w, c] = xs.shape;
    const sizes = shardSizes(batch, this.replicas);
    const step = ++this.step;
    const rngState = rng.getState();
    // 1. Weights into shared memory, the batch's shards into the workers' messages.
    await this.publishWeights(step);
    const [xData, yData] = await Promise.all([xs.data(), ys.data()]);
    const row = h * w * c;
    const n0 = sizes[0] as number;
    let ownStart = 0;
    let ownMs = 0;
    const { own, replies } = await scatterShards({
      workers: this.workers,
      sizes,
      send: (worker, offset, size) =>
        this.run(worker, {
          type: 'step',
          step,
          rngState,
          offset,
          total: batch,
          images: (xData as Float32Array).slice(offset * row, (offset + size) * row),
          imageShape: [size, h, w, c],
          labels: Int32Array.from(yData.subarray(offset, offset + size)),
          options,
        }),
      // 2. Replica 0's shard, while the workers compute theirs.
      computeOwn: () => {
        ownStart = performance.now();
        const [x0, y0] = [tf.slice(xs, 0, n0), tf.slice(ys, 0, n0)];
        try {
          return batchGradients(this.model, x0, y0, rng, { offset: 0, total: batch }, options);
        } finally {
          tf.dispose([x0, y0]);
          ownMs = performance.now() - ownStart;
        }
      },
      disposeOwn: (g) => tf.dispose([g.loss, g.correct, ...Object.values(g.grads)]),
    });
    // 3. Σ_r (n_r / B)·g_r, the loss likewise, hits summed.
    const t2 = performance.now();
    const result = await combineShardGradients(own, n0, replies, this.slots, batch);
    const replicaMs = Array.from({ length: this.replicas }, () => 0);
    replicaMs[0] = ownMs;
    for (const { worker, reply } of replies) replicaMs[worker.replica] = reply.ms;
    this.lastStep = {
      totalMs: performance.now() - t0,
      replicaMs,
      syncMs: ownStart - t0,
      combineMs: performance.now() - t2,
    };
    return result;
  }

  /** Terminates the worker threads (idempotent). A step still running rejects. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}

/**
 * Starts `replicas − 1` worker threads, each importing `replicaModule` and building its replica
 * with `createReplicaModel(modelConfig, { replica, replicas, data: replicaData })`, and resolves
 * once all are ready (their variables checked against `model`'s: names, shapes, dtypes,
 * trainable flags). A worker that fails to start rejects with its message, after every worker
 * was terminated. See {@link DataParallelTrainer} for what a step computes.
 *
 * ```ts
 * const dp = await createDataParallelTrainer({
 *   model, replicas: 2,
 *   replicaModule: new URL('./replica.js', import.meta.url),
 *   replicaData: { backend: 'wasm' },
 * });
 * try {
 *   await train({ model, trainSet, testSet, config, dataParallel: dp });
 * } finally {
 *   await dp.close();
 * }
 * ```
 */
export async function createDataParallelTrainer(
  options: DataParallelOptions,
): Promise<DataParallelTrainer> {
  const { model, replicas } = options;
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw new Error(
      `Error in createDataParallelTrainer: replicas must be an integer ≥ 1, got ${String(replicas)}`,
    );
  }
  const memory = sharedMemory(model, replicas);
  const workers =
    replicas === 1
      ? []
      : await launchReplicaWorkers({
          replicaModule: options.replicaModule,
          modelConfig: options.modelConfig ?? model.config,
          replicaData: options.replicaData,
          replicas,
          slots: memory.slots,
          weights: memory.weights,
          control: memory.control,
          gradElements: memory.gradElements,
          ...(options.execArgv ? { execArgv: options.execArgv } : {}),
        });
  return new DataParallelTrainer(
    model,
    replicas,
    memory.slots,
    workers,
    { f32: new Float32Array(memory.weights), i32: new Int32Array(memory.weights) },
    new Int32Array(memory.control),
  );
}

/**
 * The shared memory of a trainer: every variable of `model` laid out in one weights buffer (and
 * the trainable ones in each worker's gradient buffer), and one step counter per replica.
 */
function sharedMemory(model: TrainableModel, replicas: number) {
  const named = model.namedVariables();
  const names = new Set<string>();
  for (const [name] of named) {
    if (names.has(name)) {
      throw new Error(`Error in createDataParallelTrainer: duplicate variable name '${name}'`);
    }
    names.add(name);
  }
  const { slots, weightElements, gradElements } = layoutSlots(
    named.map(([name, v]) => ({ name, dtype: v.dtype, shape: v.shape, trainable: v.trainable })),
  );
  return {
    slots,
    gradElements,
    weights: new SharedArrayBuffer(4 * Math.max(1, weightElements)),
    control: new SharedArrayBuffer(4 * replicas),
  };
}
