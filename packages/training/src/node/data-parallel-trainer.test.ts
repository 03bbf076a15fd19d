/**
 * DataParallelTrainer over worker_threads: a 2-replica step equals the single-thread step for a
 * model without batch statistics (dropout and rng-driven sampling included); with batch norm it
 * is the shard-size-weighted mean of per-shard gradients and keeps replica 0's running
 * statistics; train() with it resumes exactly; worker errors surface; no tensors leak.
 *
 * The workers run plain Node: this test's replica module and the worker entry are loaded from
 * source through tsx, their @gcnn dependencies from the packages' dist (Node cannot load
 * tfjs-core's gradient registration from source), so these tests need `pnpm build` first
 * (`pnpm test` builds).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createDataset } from '@gcnn/datasets';
import { createRng } from '@gcnn/lie-groups';
import { relativeL2, testBackend, tolerance } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { Adam } from '../adam';
import { decodeCheckpoint, type EncodedCheckpoint } from '../checkpoint';
import { batchGradients, shardSizes } from '../data-parallel';
import { evaluate } from '../evaluate';
import type { MetricsRecord } from '../metrics';
import { recordPrecedes } from '../metrics';
import { train } from '../train';
import type { TrainConfig } from '../train-config';
import { TestNet, type TestNetConfig } from './data-parallel.test-helpers';
import { createDataParallelTrainer, type DataParallelTrainer } from './data-parallel-trainer';
import { workerExecArgv } from './launch-replica-workers';

const ROOT = resolve(import.meta.dirname, '../../../..');
const DEPS_BUILT = ['lie-groups', 'datasets', 'backends', 'wasm-training'].every((p) =>
  existsSync(join(ROOT, 'packages', p, 'dist/index.js')),
);
const REPLICA_MODULE = new URL('./data-parallel.test-helpers.ts', import.meta.url);
const backend = testBackend();

const MLP: TestNetConfig = {
  kind: 'mlp',
  inputs: 16,
  hidden: 8,
  classes: 3,
  seed: 5,
  dropout: 0.3,
};
const BN: TestNetConfig = { ...MLP, kind: 'batchnorm', dropout: 0 };

/** A seeded batch of `n` 4×4×1 images and labels in 0..2. */
function batch(n: number, seed: number): { xs: tf.Tensor4D; ys: tf.Tensor1D } {
  const rng = createRng(seed);
  return {
    xs: tf.tensor4d(
      Float32Array.from({ length: n * 16 }, () => rng.next()),
      [n, 4, 4, 1],
    ),
    ys: tf.tensor1d(
      Int32Array.from({ length: n }, () => Math.floor(rng.next() * 3)),
      'int32',
    ),
  };
}

async function expectClose(a: tf.Tensor, b: tf.Tensor, what: string): Promise<void> {
  expect(await relativeL2(a, b), what).toBeLessThanOrEqual(tolerance('network'));
}

const open: DataParallelTrainer[] = [];
async function trainer(model: TestNet) {
  const dp = await createDataParallelTrainer({
    model,
    replicas: 2,
    replicaModule: REPLICA_MODULE,
    replicaData: { backend },
  });
  open.push(dp);
  return dp;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((dp) => dp.close()));
});

describe('shardSizes', () => {
  it('splits into contiguous sizes differing by ≤ 1, larger first', () => {
    expect(shardSizes(16, 2)).toEqual([8, 8]);
    expect(shardSizes(7, 2)).toEqual([4, 3]);
    expect(shardSizes(10, 4)).toEqual([3, 3, 2, 2]);
    expect(shardSizes(1, 3)).toEqual([1, 0, 0]);
    expect(() => shardSizes(4, 0)).toThrow(/replicas must be an integer ≥ 1/);
  });

  it('workers inherit the Node options less the @gcnn/source condition (vitest runs sources through Vite; a worker cannot)', () => {
    expect(
      workerExecArgv([
        '--conditions',
        '@gcnn/source',
        '--conditions=@gcnn/source',
        '-C',
        'node',
        '--enable-source-maps',
      ]),
    ).toEqual(['-C', 'node', '--enable-source-maps']);
  });
});

describe.skipIf(!DEPS_BUILT)('DataParallelTrainer (worker_threads; needs pnpm build)', () => {
  it('no batch statistics: 3 steps on 2 replicas give the weights, losses and rng state of 3 single-thread steps (dropout, rng sampling, uneven shards)', async () => {
    const single = new TestNet(MLP);
    const parallel = new TestNet(MLP);
    const dp = await trainer(parallel);
    expect(dp.replicas).toBe(2);
    const before = tf.memory().numTensors;
    const optA = new Adam({ weightDecay: 1e-4 });
    const optB = new Adam({ weightDecay: 1e-4 });
    const rngA = createRng(77);
    const rngB = createRng(77);
    const params = (m: TestNet) => m.namedVariables().filter(([, v]) => v.trainable);
    for (let s = 0; s < 3; s++) {
      const { xs, ys } = batch(7, 100 + s); // shards 4 + 3
      const a = batchGradients(single, xs, ys, rngA);
      const b = await dp.computeGradients(xs, ys, rngB);
      expect(Object.keys(b.grads).sort()).toEqual(['b1', 'w1', 'w2']);
      for (const name of Object.keys(a.grads))
        await expectClose(b.grads[name]!, a.grads[name]!, `step ${s} gradient ${name}`);
      await expectClose(b.loss, a.loss, `step ${s} loss`);
      expect((await b.correct.data())[0]).toBe((await a.correct.data())[0]);
      expect(rngB.getState()).toBe(rngA.getState());
      optA.apply(params(single), a.grads, 0.05);
      optB.apply(params(parallel), b.grads, 0.05);
      tf.dispose([xs, ys, a.loss, a.correct, b.loss, b.correct]);
      tf.dispose([...Object.values(a.grads), ...Object.values(b.grads)]);
    }
    for (const [name, v] of single.namedVariables()) {
      if (v.dtype === 'float32') await expectClose(parallel.v(name), v, `weights ${name}`);
    }
    expect(dp.lastStep?.replicaMs).toHaveLength(2);
    // Without a leak on this thread: the optimizers' slots were the only new tensors.
    optA.dispose();
    optB.dispose();
    expect(tf.memory().numTensors).toBe(before);
    single.dispose();
    parallel.dispose();
  });

  it('micro-batches on each replica (accumulateSteps 2) still give the single-thread step without batch statistics', async () => {
    const single = new TestNet(MLP);
    const parallel = new TestNet(MLP);
    const dp = await trainer(parallel);
    const { xs, ys } = batch(9, 300); // shards 5 + 4, micro-batches 3 + 2 and 2 + 2
    const [rngA, rngB] = [createRng(5), createRng(5)];
    const a = batchGradients(single, xs, ys, rngA);
    const b = await dp.computeGradients(xs, ys, rngB, { accumulateSteps: 2, memory: 'lean' });
    for (const name of Object.keys(a.grads))
      await expectClose(b.grads[name]!, a.grads[name]!, `gradient ${name}`);
    await expectClose(b.loss, a.loss, 'loss');
    expect((await b.correct.data())[0]).toBe((await a.correct.data())[0]);
    expect(rngB.getState()).toBe(rngA.getState());
    expect((await parallel.v('calls').data())[0]).toBe(2); // replica 0: two forwards
    tf.dispose([xs, ys, a.loss, a.correct, b.loss, b.correct]);
    tf.dispose([...Object.values(a.grads), ...Object.values(b.grads)]);
    single.dispose();
    parallel.dispose();
  });

  it('batch norm: the shard-size-weighted mean of per-shard gradients computed in this thread; running statistics from replica 0', async () => {
    const here = new TestNet(BN);
    const parallel = new TestNet(BN);
    const dp = await trainer(parallel);
    const { xs, ys } = batch(7, 3);
    const state = 1234;
    // In this thread: shard 0 = rows 0–3, shard 1 = rows 4–6, each from the same rng state.
    const shards = [
      [0, 4],
      [4, 3],
    ] as const;
    const per = shards.map(([offset, n]) => {
      const x = tf.slice(xs, offset, n);
      const y = tf.slice(ys, offset, n);
      const rng = createRng(0);
      rng.setState(state);
      const g = batchGradients(here, x, y, rng, { offset, total: 7 });
      const runningMean = tf.clone(here.v('runningMean'));
      tf.dispose([x, y]);
      return { g, n, runningMean };
    });
    const rng = createRng(0);
    rng.setState(state);
    const got = await dp.computeGradients(xs, ys, rng);
    for (const name of ['w1', 'b1', 'w2']) {
      const expected = tf.tidy(() =>
        per.reduce<tf.Tensor>(
          (acc, { g, n }) => tf.add(acc, tf.mul(g.grads[name]!, n / 7)),
          tf.zerosLike(got.grads[name]!),
        ),
      );
      await expectClose(got.grads[name]!, expected, `gradient ${name}`);
      expected.dispose();
    }
    // Not the whole-batch gradient (batch statistics differ per shard).
    const whole = new TestNet(BN);
    const wholeRng = createRng(0);
    wholeRng.setState(state);
    const w = batchGradients(whole, xs, ys, wholeRng);
    expect(await relativeL2(got.grads.w1!, w.grads.w1!)).toBeGreaterThan(1e-3);
    // Running statistics: replica 0's update from its own shard.
    await expectClose(parallel.v('runningMean'), per[0]!.runningMean, 'running mean');
    tf.dispose([
      xs,
      ys,
      got.loss,
      got.correct,
      w.loss,
      w.correct,
      ...per.map((p) => p.runningMean),
    ]);
    tf.dispose([
      ...Object.values(got.grads),
      ...Object.values(w.grads),
      ...per.flatMap((p) => [p.g.loss, p.g.correct, ...Object.values(p.g.grads)]),
    ]);
    here.dispose();
    parallel.dispose();
    whole.dispose();
  });

  it('predict: the logits of model.apply in batch order (uneven shards), after weights change and without; evaluate({ dataParallel }) gives evaluate()', async () => {
    const model = new TestNet(BN);
    const dp = await trainer(model);
    const before = tf.memory().numTensors;
    const opt = new Adam({ weightDecay: 0 });
    const params = model.namedVariables().filter(([, v]) => v.trainable);
    for (let round = 0; round < 3; round++) {
      // round 1 changes the weights (and running statistics) first; round 2 predicts unchanged
      if (round === 1) {
        const { xs, ys } = batch(7, 40);
        const g = await dp.computeGradients(xs, ys, createRng(1));
        opt.apply(params, g.grads, 0.1);
        tf.dispose([xs, ys, g.loss, g.correct, ...Object.values(g.grads)]);
      }
      const { xs, ys } = batch(7, 50 + round); // shards 4 + 3
      const got = await dp.predict(xs);
      const expected = model.apply(xs, { training: false });
      expect(got.shape).toEqual([7, 3]);
      await expectClose(got, expected, `round ${round} logits`);
      tf.dispose([xs, ys, got, expected]);
    }
    const rank3 = tf.zeros([2, 4, 4]);
    await expect(dp.predict(rank3 as unknown as tf.Tensor4D)).rejects.toThrow(
      /xs must be \[B, h, w, c\]/,
    );
    rank3.dispose();
    const n = 13;
    const r = createRng(4);
    const set = createDataset({
      name: 'dp-eval',
      images: Uint8Array.from({ length: n * 16 }, () => Math.floor(r.next() * 256)),
      labels: Int32Array.from({ length: n }, () => Math.floor(r.next() * 3)),
      height: 4,
      width: 4,
      channels: 1,
      numClasses: 3,
    });
    const plain = await evaluate(model, set, { batchSize: 5 });
    const parallel = await evaluate(model, set, { batchSize: 5, dataParallel: dp });
    expect(parallel.correct).toBe(plain.correct);
    expect(parallel.count).toBe(n);
    expect(Math.abs(parallel.loss - plain.loss)).toBeLessThanOrEqual(
      tolerance('network') * Math.max(1, plain.loss),
    );
    const other = new TestNet(BN);
    await expect(evaluate(other, set, { batchSize: 5, dataParallel: dp })).rejects.toThrow(
      /dataParallel must be built on the evaluated model/,
    );
    other.dispose();
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('train({ dataParallel }) matches train() without it and resumes from a mid-epoch checkpoint exactly', async () => {
    const images = new Uint8Array(30 * 16);
    const labels = new Int32Array(30);
    const r = createRng(8);
    for (let i = 0; i < 30; i++) {
      labels[i] = Math.floor(r.next() * 3);
      for (let p = 0; p < 16; p++)
        images[i * 16 + p] = Math.floor(
          r.next() * 80 + (Math.floor(p / 4) === labels[i] ? 150 : 0),
        );
    }
    const set = createDataset({
      name: 'dp-toy',
      images,
      labels,
      count: 30,
      height: 4,
      width: 4,
      channels: 1,
      numClasses: 3,
    });
    const config: TrainConfig = {
      epochs: 2,
      batchSize: 7,
      learningRate: 0.05,
      optimizer: { name: 'adam', weightDecay: 0 },
      lrSchedule: { kind: 'constant' },
      seed: 3,
      printInterval: 1,
      checkpointEvery: 2,
    };
    const sink = () => {
      const records: MetricsRecord[] = [];
      const checkpoints: EncodedCheckpoint[] = [];
      return {
        records,
        checkpoints,
        sink: {
          metrics: async (m: MetricsRecord) => void records.push(structuredClone(m)),
          checkpoint: async (c: EncodedCheckpoint) => void checkpoints.push(c),
        },
      };
    };
    const run = async (
      dataParallel: boolean,
      extra: { resume?: Awaited<ReturnType<typeof decodeCheckpoint>> } = {},
    ) => {
      const model = new TestNet({ ...MLP, seed: extra.resume ? 99 : MLP.seed });
      const dp = dataParallel ? await trainer(model) : undefined;
      const mem = sink();
      await train({
        model,
        trainSet: set,
        testSet: set,
        config,
        sink: mem.sink,
        ...(dp ? { dataParallel: dp } : {}),
        ...extra,
      });
      const weights = model.namedVariables().map(([n, v]) => [n, tf.clone(v)] as const);
      model.dispose();
      return { mem, weights };
    };
    const single = await run(false);
    const parallel = await run(true);
    const losses = (m: MetricsRecord[]) =>
      m.filter((x) => x.type === 'step').map((x) => (x as { loss: number }).loss);
    const [ls, lp] = [losses(single.mem.records), losses(parallel.mem.records)];
    expect(lp).toHaveLength(10);
    for (let i = 0; i < ls.length; i++)
      expect(Math.abs((lp[i] as number) - (ls[i] as number))).toBeLessThanOrEqual(
        tolerance('network') * Math.max(1, Math.abs(ls[i] as number)),
      );
    for (const [i, [name, v]] of parallel.weights.entries()) {
      if (v.dtype === 'float32') await expectClose(v, single.weights[i]![1], `final ${name}`);
    }
    // Resume the data-parallel run from its step-6 checkpoint, on 2 replicas again.
    const mid = parallel.mem.checkpoints.find(
      (c) => c.manifest.kind === 'last' && c.manifest.progress.step === 6,
    )!;
    const loaded = await decodeCheckpoint(mid.manifest, mid.bytes);
    const resumed = await run(true, { resume: loaded });
    tf.dispose([...Object.values(loaded.model), ...Object.values(loaded.optimizer)]);
    const withoutTime = (rs: MetricsRecord[]) => rs.map(({ time: _t, ...rest }) => rest);
    const kept = parallel.mem.records.filter((x) => recordPrecedes(x, mid.manifest.progress));
    expect(withoutTime([...kept, ...resumed.mem.records])).toEqual(
      withoutTime(parallel.mem.records),
    );
    tf.dispose([...single.weights, ...parallel.weights, ...resumed.weights].map(([, v]) => v));
  });

  it('a failing replica module, a failing forward and a mismatched replica surface with the worker message; nothing leaks', async () => {
    const main = new TestNet(MLP);
    await expect(
      createDataParallelTrainer({
        model: main,
        replicas: 2,
        replicaModule: REPLICA_MODULE,
        replicaData: { backend },
        modelConfig: { ...MLP, failInReplica: 'create' },
      }),
    ).rejects.toThrow(
      /replica 1 \(worker thread\) failed to start: TestNet: boom in createReplicaModel/,
    );
    await expect(
      createDataParallelTrainer({
        model: main,
        replicas: 2,
        replicaModule: REPLICA_MODULE,
        replicaData: { backend },
        modelConfig: { ...MLP, replicaHidden: 5 },
      }),
    ).rejects.toThrow(/variable 'w1' is float32 \[16,5\], the main model's float32 \[16,8\]/);
    await expect(
      createDataParallelTrainer({
        model: main,
        replicas: 2,
        replicaModule: new URL('./replica-protocol.ts', import.meta.url),
      }),
    ).rejects.toThrow(/does not export a function createReplicaModel/);
    await expect(
      createDataParallelTrainer({ model: main, replicas: 2, replicaModule: './replica.js' }),
    ).rejects.toThrow(/replicaModule must be a URL or an absolute path/);
    await expect(
      createDataParallelTrainer({ model: main, replicas: 1.5, replicaModule: REPLICA_MODULE }),
    ).rejects.toThrow(/replicas must be an integer ≥ 1, got 1.5/);

    const failing = new TestNet({ ...MLP, failInReplica: 'apply' });
    const dp = await trainer(failing);
    const { xs, ys } = batch(6, 1);
    const before = tf.memory().numTensors;
    const error = await dp.computeGradients(xs, ys, createRng(1)).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /replica 1 \(worker thread\) failed: TestNet: boom in the replica forward/,
    );
    expect(String((error as Error).cause)).toMatch(/boom in the replica forward/);
    // The trainer stays failed; this thread kept no tensor of the step.
    await expect(dp.computeGradients(xs, ys, createRng(1))).rejects.toThrow(/boom/);
    expect(tf.memory().numTensors).toBe(before);
    await dp.close();
    await dp.close();
    await expect(dp.computeGradients(xs, ys, createRng(1))).rejects.toThrow(/closed/);
    tf.dispose([xs, ys]);
    main.dispose();
    failing.dispose();
  });

  it('one replica starts no worker and computes exactly batchGradients', async () => {
    const a = new TestNet(MLP);
    const dp = await createDataParallelTrainer({ model: a, replicas: 1, replicaModule: './x' });
    const { xs, ys } = batch(5, 2);
    const g = await dp.computeGradients(xs, ys, createRng(4));
    const h = batchGradients(a, xs, ys, createRng(4));
    expect(Array.from(await g.grads.w1!.data())).toEqual(Array.from(await h.grads.w1!.data()));
    tf.dispose([xs, ys, g.loss, g.correct, h.loss, h.correct]);
    tf.dispose([...Object.values(g.grads), ...Object.values(h.grads)]);
    await dp.close();
    a.dispose();
  });
});
