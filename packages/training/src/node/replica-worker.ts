/**
 * The entry of a `DataParallelTrainer` worker thread: builds one replica through the app's
 * replica module, then for each step copies the main thread's variables from shared memory,
 * computes loss and gradients of its shard (`batchGradients`, the same code as replica 0) and
 * writes the gradients to its shared buffer. See replica-protocol.ts for the messages.
 */
import { parentPort } from 'node:worker_threads';
import { createRng } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';
import { batchGradients } from '../data-parallel';
import type { TrainableModel } from '../trainable-model';
import type { ReplicaModule } from './replica-module';
import type {
  FromWorker,
  InitMessage,
  PredictMessage,
  StepMessage,
  ToWorker,
  VariableSlot,
} from './replica-protocol';

interface Replica {
  model: TrainableModel;
  replica: number;
  slots: VariableSlot[];
  variables: tf.Variable[];
  weightsF32: Float32Array;
  weightsI32: Int32Array;
  grads: Float32Array;
  control: Int32Array;
  /** A copy of the shared weights this replica last loaded (null before the first load). */
  loaded: Int32Array | null;
}

const port = parentPort;
if (!port) throw new Error('@gcnn/training/node replica-worker: must run in a worker thread');

let replica: Replica | null = null;
let failure: string | null = null;
const post = (message: FromWorker, transfer: ArrayBuffer[] = []) =>
  port.postMessage(message, transfer);

async function init(m: InitMessage): Promise<void> {
  const mod = (await import(m.module)) as Partial<ReplicaModule>;
  if (typeof mod.createReplicaModel !== 'function') {
    throw new Error(
      `the replica module ${m.module} does not export a function createReplicaModel(modelConfig, context)`,
    );
  }
  const model = await mod.createReplicaModel(m.modelConfig, {
    replica: m.replica,
    replicas: m.replicas,
    data: m.data,
  });
  const own = new Map(model.namedVariables());
  const variables = m.slots.map((slot) => {
    const v = own.get(slot.name);
    if (!v) throw new Error(`the replica model has no variable '${slot.name}' (main model has)`);
    if (v.shape.join() !== slot.shape.join() || v.dtype !== slot.dtype) {
      throw new Error(
        `the replica's variable '${slot.name}' is ${v.dtype} [${v.shape}], the main model's ${slot.dtype} [${slot.shape}]`,
      );
    }
    if (v.trainable !== slot.trainable) {
      throw new Error(
        `the replica's variable '${slot.name}' is ${v.trainable ? '' : 'not '}trainable, the main model's is ${slot.trainable ? '' : 'not '}`,
      );
    }
    return v;
  });
  if (own.size !== m.slots.length) {
    const known = new Set(m.slots.map((s) => s.name));
    const extra = [...own.keys()].filter((n) => !known.has(n));
    throw new Error(
      `the replica model has variables the main model lacks: ${extra.slice(0, 5).join(', ')}`,
    );
  }
  replica = {
    model,
    replica: m.replica,
    slots: m.slots,
    variables,
    weightsF32: new Float32Array(m.weights),
    weightsI32: new Int32Array(m.weights),
    grads: new Float32Array(m.grads),
    control: new Int32Array(m.control),
    loaded: null,
  };
  post({ type: 'ready', backend: tf.getBackend() });
}

/**
 * Copies the main thread's variables (version `step`) from shared memory into this replica.
 * With `unlessUnchanged` (predictions), not when they equal the ones it loaded last, so
 * predictions between optimizer steps keep their cached kernels; a training step always loads
 * (an optimizer step came between, and the comparison is on the step's critical path).
 */
function loadWeights(r: Replica, step: number, unlessUnchanged: boolean): void {
  const written = Atomics.load(r.control, 0);
  if (written !== step) {
    throw new Error(`the shared weights are of step ${written}, expected ${step}`);
  }
  const bits = r.weightsI32; // compared bitwise (NaN-safe, −0 ≠ +0)
  if (
    unlessUnchanged &&
    r.loaded?.length === bits.length &&
    r.loaded.every((v, i) => v === bits[i])
  )
    return;
  tf.tidy(() => {
    r.slots.forEach((slot, i) => {
      const src = slot.dtype === 'float32' ? r.weightsF32 : r.weightsI32;
      // slice(): a private copy (a backend may keep the array it is given).
      const value = src.slice(slot.offset, slot.offset + slot.size);
      (r.variables[i] as tf.Variable).assign(tf.tensor(value, slot.shape, slot.dtype));
    });
  });
  r.loaded = unlessUnchanged ? bits.slice() : null;
  r.model.invalidateCache();
}

async function step(m: StepMessage): Promise<void> {
  const r = replica;
  if (!r) throw new Error('step before init');
  const t0 = performance.now();
  loadWeights(r, m.step, false);
  const rng = createRng(0);
  rng.setState(m.rngState);
  const xs = tf.tensor4d(m.images, m.imageShape);
  const ys = tf.tensor1d(m.labels, 'int32');
  let result: ReturnType<typeof batchGradients> | undefined;
  try {
    result = batchGradients(r.model, xs, ys, rng, { offset: m.offset, total: m.total }, m.options);
    // a training forward updates e.g. batch-norm running statistics: reload before predicting
    r.loaded = null;
    const [loss, correct] = await Promise.all([result.loss.data(), result.correct.data()]);
    const hasGrad: boolean[] = [];
    for (const slot of r.slots) {
      if (!slot.trainable) continue;
      const g = result.grads[slot.name];
      hasGrad.push(g !== undefined);
      if (g) r.grads.set((await g.data()) as Float32Array, slot.gradOffset);
    }
    Atomics.store(r.control, r.replica, m.step);
    post({
      type: 'done',
      step: m.step,
      loss: loss[0] as number,
      correct: correct[0] as number,
      hasGrad,
      ms: performance.now() - t0,
    });
  } finally {
    tf.dispose([xs, ys]);
    if (result) tf.dispose([result.loss, result.correct, ...Object.values(result.grads)]);
  }
}

async function predict(m: PredictMessage): Promise<void> {
  const r = replica;
  if (!r) throw new Error('predict before init');
  const t0 = performance.now();
  loadWeights(r, m.step, true);
  const xs = tf.tensor4d(m.images, m.imageShape);
  try {
    const logits = r.model.apply(xs, { training: false });
    try {
      const values = (await logits.data()) as Float32Array;
      const copy = values.slice();
      post(
        {
          type: 'logits',
          step: m.step,
          logits: copy,
          shape: logits.shape as [number, number],
          ms: performance.now() - t0,
        },
        [copy.buffer],
      );
    } finally {
      logits.dispose();
    }
  } finally {
    xs.dispose();
  }
}

// One message at a time, in order; after a failure every message is answered with it.
let queue: Promise<void> = Promise.resolve();
port.on('message', (message: ToWorker) => {
  queue = queue.then(async () => {
    if (failure !== null) {
      post({ type: 'error', message: failure });
      return;
    }
    try {
      if (message.type === 'init') await init(message);
      else if (message.type === 'predict') await predict(message);
      else await step(message);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      failure = e.message;
      post({ type: 'error', message: e.message, ...(e.stack ? { stack: e.stack } : {}) });
    }
  });
});
