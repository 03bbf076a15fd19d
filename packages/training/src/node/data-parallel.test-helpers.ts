/**
 * Test models of the data-parallel tests, and the replica module their worker threads import
 * (`createReplicaModel`): it plays the app, selecting the suite's backend through
 * `@gcnn/backends` before it builds the model from its config.
 */
import type { Rng } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';
import type { BatchShard, TrainableModel } from '../trainable-model';
import type { ReplicaContext } from './replica-module';

/** Config of {@link TestNet}. */
export interface TestNetConfig {
  /** `mlp`: rows independent (no batch statistics); `batchnorm`: a batch norm after the first layer. */
  kind: 'mlp' | 'batchnorm';
  inputs: number;
  hidden: number;
  classes: number;
  seed: number;
  /** Dropout after the hidden layer (the full batch's mask rows under a shard, as @gcnn/models). */
  dropout?: number;
  /** Replicas only: `create` makes `createReplicaModel` throw, `apply` makes the forward throw. */
  failInReplica?: 'create' | 'apply';
  /** Replicas only: a hidden width different from the main model's. */
  replicaHidden?: number;
}

/**
 * Flatten → dense → [batch norm] → ReLU → [dropout] → dense. In training the hidden layer is
 * scaled by `1 + 0.5·u`, `u` drawn from `rng` once per call (standing in for `uniform` group
 * element sampling: replicas must start from the same rng state to agree). Variables: `w1`,
 * `b1`, `w2` (trainable), `runningMean` (float32) and `calls` (int32), not trainable.
 */
export class TestNet implements TrainableModel {
  readonly config: TestNetConfig;
  private readonly vars: Array<[string, tf.Variable]>;
  private readonly failInApply: boolean;

  constructor(config: TestNetConfig, options: { replica?: boolean } = {}) {
    this.config = config;
    this.failInApply = options.replica === true && config.failInReplica === 'apply';
    const hidden = options.replica ? (config.replicaHidden ?? config.hidden) : config.hidden;
    const variable = (make: () => tf.Tensor, trainable: boolean) => {
      const t = make();
      const v = tf.variable(t, trainable);
      t.dispose();
      return v;
    };
    const { inputs, classes, seed } = config;
    this.vars = [
      ['w1', variable(() => tf.randomNormal([inputs, hidden], 0, 0.4, 'float32', seed), true)],
      ['b1', variable(() => tf.randomNormal([hidden], 0, 0.1, 'float32', seed + 1), true)],
      ['w2', variable(() => tf.randomNormal([hidden, classes], 0, 0.4, 'float32', seed + 2), true)],
      ['runningMean', variable(() => tf.zeros([hidden]), false)],
      ['calls', variable(() => tf.zeros([], 'int32'), false)],
    ];
  }

  v(name: string): tf.Variable {
    return this.vars.find(([n]) => n === name)?.[1] as tf.Variable;
  }

  apply(
    images: tf.Tensor4D,
    options: { training?: boolean; rng?: Rng; shard?: BatchShard } = {},
  ): tf.Tensor2D {
    if (this.failInApply) throw new Error('TestNet: boom in the replica forward');
    return tf.tidy(() => {
      const n = images.shape[0];
      const x = tf.reshape(images, [n, -1]) as tf.Tensor2D;
      let h: tf.Tensor2D = tf.add(tf.matMul(x, this.v('w1')), this.v('b1'));
      if (options.training) {
        this.v('calls').assign(tf.add(this.v('calls'), tf.scalar(1, 'int32')));
        if (this.config.kind === 'batchnorm') {
          const { mean, variance } = tf.moments(h, 0);
          this.v('runningMean').assign(
            tf.add(tf.mul(this.v('runningMean'), 0.9), tf.mul(mean, 0.1)),
          );
          h = tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5)));
        }
        const u = options.rng ? options.rng.next() : 0;
        h = tf.mul(h, 1 + 0.5 * u);
      }
      h = tf.relu(h);
      const rate = this.config.dropout ?? 0;
      if (options.training && rate > 0) {
        const seed = Math.floor((options.rng?.next() ?? 0) * 0x7fffffff);
        const shard = options.shard ?? { offset: 0, total: n };
        const full = tf.randomUniform([shard.total, h.shape[1]], 0, 1, 'float32', seed);
        const rows = tf.slice(full, [shard.offset, 0], [n, -1]);
        h = tf.mul(h, tf.div(tf.floor(tf.add(rows, 1 - rate)), 1 - rate));
      }
      return tf.matMul(h, this.v('w2'));
    });
  }

  namedVariables(): Array<[string, tf.Variable]> {
    return [...this.vars];
  }

  setWeights(weights: Record<string, tf.Tensor>): void {
    for (const [name, v] of this.vars) {
      const w = weights[name];
      if (w) v.assign(w);
    }
  }

  invalidateCache(): void {}

  dispose(): void {
    for (const [, v] of this.vars) v.dispose();
  }
}

/** The replica module's entry point (see `ReplicaModule`). */
export async function createReplicaModel(
  config: unknown,
  context: ReplicaContext<{ backend: 'cpu' | 'wasm' }>,
): Promise<TrainableModel> {
  const { selectBackend } = await import('@gcnn/backends');
  await selectBackend(context.data.backend);
  const c = config as TestNetConfig;
  if (c.failInReplica === 'create') throw new Error('TestNet: boom in createReplicaModel');
  return new TestNet(c, { replica: true });
}
