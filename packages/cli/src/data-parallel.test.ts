/**
 * Data-parallel training of the real models on this suite's backend, with the CLI's replica
 * module (replica-model.ts) in the worker threads:
 * - CK-G-All-CNN-C with layer norm (no batch statistics; its three dropouts and `uniform`
 *   sampling included): two steps on 2 replicas give the weights of two single-thread steps on the
 *   whole batch, within the `network` tolerance;
 * - CK-G-ResNet with batch norm: the gradient is the shard-size-weighted mean of the per-shard
 *   gradients computed in this thread, and the running statistics are replica 0's.
 * The workers load @gcnn packages from dist: needs `pnpm build` (`pnpm test` builds first).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRng } from '@gcnn/lie-groups';
import { createModel, type ModelConfig } from '@gcnn/models';
import { relativeL2, testBackend, testModelConfig, tolerance } from '@gcnn/test-utils';
import { Adam, batchGradients, type StepGradients } from '@gcnn/training';
import { createDataParallelTrainer } from '@gcnn/training/node';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { replicaModuleUrl } from './start-cli-replicas';

const ROOT = resolve(import.meta.dirname, '../../..');
const DEPS_BUILT = [
  'lie-groups',
  'kernel-nets',
  'group-conv',
  'models',
  'datasets',
  'backends',
  'wasm-training',
].every((p) => existsSync(join(ROOT, 'packages', p, 'dist/index.js')));
const backend = testBackend();

const ALLCNNC: ModelConfig = testModelConfig('ckgallcnnc');
const RESNET: ModelConfig = testModelConfig('ckgresnet');

function batch(config: ModelConfig, n: number, seed: number) {
  const s = config.imageSize;
  return {
    xs: tf.randomUniform([n, s, s, 1], 0, 1, 'float32', seed) as tf.Tensor4D,
    ys: tf.tensor1d(
      Array.from({ length: n }, (_, i) => (i * 7 + seed) % 3),
      'int32',
    ),
  };
}

const disposeStep = (g: StepGradients) =>
  tf.dispose([g.loss, g.correct, ...Object.values(g.grads)]);

describe.skipIf(!DEPS_BUILT)(`data-parallel training on ${backend} (needs pnpm build)`, () => {
  it('CK-G-All-CNN-C, layer norm: 2 steps on 2 replicas = 2 single-thread steps on the whole batch', async () => {
    const single = createModel(ALLCNNC);
    const parallel = createModel(ALLCNNC);
    const dp = await createDataParallelTrainer({
      model: parallel,
      replicas: 2,
      replicaModule: replicaModuleUrl(),
      replicaData: { backend },
    });
    try {
      const [optA, optB] = [new Adam({ weightDecay: 0 }), new Adam({ weightDecay: 0 })];
      const [rngA, rngB] = [createRng(31), createRng(31)];
      const params = (m: typeof single) => m.namedVariables().filter(([, v]) => v.trainable);
      for (let s = 0; s < 2; s++) {
        const { xs, ys } = batch(ALLCNNC, 5, 10 + s); // shards 3 + 2
        const a = batchGradients(single, xs, ys, rngA);
        const b = await dp.computeGradients(xs, ys, rngB);
        expect(rngB.getState()).toBe(rngA.getState());
        expect(await relativeL2(b.loss, a.loss)).toBeLessThanOrEqual(tolerance('network'));
        optA.apply(params(single), a.grads, 1e-2);
        optB.apply(params(parallel), b.grads, 1e-2);
        tf.dispose([xs, ys]);
        disposeStep(a);
        disposeStep(b);
      }
      const other = new Map(parallel.namedVariables());
      for (const [name, v] of single.namedVariables()) {
        expect(await relativeL2(other.get(name)!, v), name).toBeLessThanOrEqual(
          tolerance('network'),
        );
      }
      optA.dispose();
      optB.dispose();
    } finally {
      await dp.close();
      single.dispose();
      parallel.dispose();
    }
  }, 120_000);

  it("CK-G-ResNet, batch norm: the mean of per-shard gradients (weights n/B); replica 0's running statistics", async () => {
    const here = createModel(RESNET);
    const parallel = createModel(RESNET);
    const dp = await createDataParallelTrainer({
      model: parallel,
      replicas: 2,
      replicaModule: replicaModuleUrl(),
      replicaData: { backend },
    });
    try {
      const { xs, ys } = batch(RESNET, 5, 2);
      const per = (
        [
          [0, 3],
          [3, 2],
        ] as const
      ).map(([offset, n]) => {
        const x = tf.slice(xs, offset, n);
        const y = tf.slice(ys, offset, n);
        const g = batchGradients(here, x, y, createRng(17), { offset, total: 5 });
        const stats = here
          .namedVariables()
          .filter(([, v]) => !v.trainable)
          .map(([name, v]) => [name, tf.clone(v)] as const);
        tf.dispose([x, y]);
        return { g, n, stats };
      });
      const got = await dp.computeGradients(xs, ys, createRng(17));
      expect(Object.keys(got.grads).sort()).toEqual(Object.keys(per[0]!.g.grads).sort());
      for (const name of Object.keys(got.grads)) {
        const expected = tf.tidy(() =>
          tf.add(tf.mul(per[0]!.g.grads[name]!, 3 / 5), tf.mul(per[1]!.g.grads[name]!, 2 / 5)),
        );
        expect(await relativeL2(got.grads[name]!, expected), name).toBeLessThanOrEqual(
          tolerance('network'),
        );
        expected.dispose();
      }
      const own = new Map(parallel.namedVariables());
      for (const [name, v] of per[0]!.stats) {
        expect(await relativeL2(own.get(name)!, v), name).toBeLessThanOrEqual(tolerance('network'));
      }
      tf.dispose([xs, ys, ...per.flatMap((p) => p.stats.map(([, v]) => v))]);
      disposeStep(got);
      for (const p of per) disposeStep(p.g);
    } finally {
      await dp.close();
      here.dispose();
      parallel.dispose();
    }
  }, 120_000);
});
