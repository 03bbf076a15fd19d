/**
 * The divergence guard of `train`: a non-finite loss, gradient, weight or optimizer state stops
 * the run (or, with `onNonFinite: 'skip'`, drops the batch's update) before anything non-finite is
 * written, and the last good checkpoint stays the resume point.
 */

import { batches } from '@gcnn/datasets';
import type { Rng } from '@gcnn/lie-groups';
import { createRng, Xoshiro128 } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, disposeCheckpoint, type EncodedCheckpoint } from './checkpoint';
import { createOptimizer } from './create-optimizer';
import { batchGradients } from './data-parallel';
import { allFinite, DivergenceError, LossLog } from './nonfinite-guard';
import { memorySink, TinyClassifier, toyDataset, toyTrainOptions } from './test-model.test-helpers';
import { type TrainOptions, train } from './train';
import type { TrainConfig } from './train-config';

const CONFIG: TrainConfig = {
  epochs: 2,
  batchSize: 8,
  learningRate: 0.05,
  optimizer: { name: 'adam' },
  lrSchedule: { kind: 'constant' },
  seed: 7,
  printInterval: 1,
  checkpointEvery: 2,
};

/** A TinyClassifier whose training forward gives NaN logits on the given (1-based) calls. */
class PoisonedClassifier extends TinyClassifier {
  private calls = 0;
  constructor(private readonly poisoned: ReadonlySet<number>) {
    super(16, 3, 5);
  }
  override apply(images: tf.Tensor4D, options: { training?: boolean; rng?: Rng } = {}) {
    const logits = super.apply(images, options);
    if (!options.training || !this.poisoned.has(++this.calls)) return logits;
    const nan = tf.mul(logits, Number.NaN) as tf.Tensor2D;
    logits.dispose();
    return nan;
  }
}

const options = (model: TinyClassifier, extra: Partial<TrainOptions> = {}) =>
  toyTrainOptions(model, CONFIG, extra);

/** Every checkpoint decodes (the codec refuses non-finite values); returns their steps. */
async function decodable(checkpoints: EncodedCheckpoint[]): Promise<string[]> {
  const kinds: string[] = [];
  for (const c of checkpoints) {
    disposeCheckpoint(await decodeCheckpoint(c.manifest, c.bytes));
    kinds.push(`${c.manifest.kind}@${c.manifest.progress.step}`);
  }
  return kinds;
}

describe('divergence guard', () => {
  it('stop: a NaN loss at step 5 ends the run with a DivergenceError; only the checkpoints before it exist, and resuming from the last one equals a clean run', async () => {
    const model = new PoisonedClassifier(new Set([5]));
    const run = memorySink();
    const error = await train(options(model, { sink: run.sink })).catch((e: unknown) => e);
    model.dispose();
    expect(error).toBeInstanceOf(DivergenceError);
    expect(error).toMatchObject({
      what: 'loss',
      value: Number.NaN,
      at: { step: 5, epoch: 0, batch: 4, lr: 0.05 },
      lastCheckpointStep: 4,
    });
    expect((error as Error).message).toMatch(
      /the run diverged: the training loss is NaN at step 5 \(epoch 0, batch 4, lr 0.05\); training stopped and the last checkpoint \(step 4\) is kept/,
    );
    expect(await decodable(run.checkpoints)).toEqual(['last@2', 'last@4']);
    expect(run.records.map((r) => `${r.type}@${r.step}`)).toEqual([
      'step@1',
      'step@2',
      'step@3',
      'step@4',
    ]);
    // The last good checkpoint is the resume point: resumed there, the run is the clean one.
    const clean = memorySink();
    const cleanModel = new TinyClassifier(16, 3, 5);
    await train(options(cleanModel, { sink: clean.sink }));
    cleanModel.dispose();
    const last = run.checkpoints.at(-1) as EncodedCheckpoint;
    const resume = await decodeCheckpoint(last.manifest, last.bytes);
    const resumedModel = new TinyClassifier(16, 3, 99);
    const resumed = memorySink();
    await train(options(resumedModel, { sink: resumed.sink, resume }));
    resumedModel.dispose();
    disposeCheckpoint(resume);
    const final = (m: { checkpoints: EncodedCheckpoint[] }) =>
      m.checkpoints.filter((c) => c.manifest.kind === 'last').at(-1)?.manifest.weights.sha256;
    expect(final(resumed)).toBe(final(clean));
  });

  it('stop: finite losses but weights that became non-finite are found before the next checkpoint', async () => {
    const model = new TinyClassifier(16, 3, 5);
    const run = memorySink();
    const onStep = (e: { step: number }) => {
      // The running mean (a non-trainable statistic, like a batch norm's) does not enter the
      // training loss, so the losses stay finite while a weight does not. (Not a bias of −∞ under
      // a relu: webgl's packed relu computes x·(x ≥ 0), which is NaN at −∞, not 0.)
      const mean = model.namedVariables().find(([n]) => n === 'runningMean')?.[1] as tf.Variable;
      if (e.step === 3) tf.tidy(() => mean.assign(tf.fill([8], Number.POSITIVE_INFINITY)));
    };
    const error = await train(options(model, { sink: run.sink, onStep })).catch((e) => e);
    model.dispose();
    expect(error).toMatchObject({ what: 'weights', at: { step: 4 }, lastCheckpointStep: 2 });
    expect((error as Error).message).toMatch(/the weights are no longer finite after step 4/);
    expect(await decodable(run.checkpoints)).toEqual(['last@2']);
  });

  it('skip: the poisoned batches get no update and are counted; the run finishes with finite checkpoints', async () => {
    const model = new PoisonedClassifier(new Set([3, 7]));
    const run = memorySink();
    const before: number[][][] = [];
    const onStep = async () => {
      const trainable = model.namedVariables().filter(([, v]) => v.trainable);
      before.push(await Promise.all(trainable.map(async ([, v]) => Array.from(await v.data()))));
    };
    const config: TrainConfig = { ...CONFIG, onNonFinite: 'skip' };
    const result = await train(options(model, { sink: run.sink, config, onStep }));
    model.dispose();
    expect(before[2]).toEqual(before[1]); // step 3 changed no weight
    expect(before[6]).toEqual(before[5]); // nor did step 7
    expect(before[3]).not.toEqual(before[2]);
    expect(result.progress).toMatchObject({ step: 10, skippedBatches: 2, finished: true });
    const epochs = run.records.filter((r) => r.type === 'epoch');
    expect(epochs.map((r) => r.skippedBatches)).toEqual([1, 2]);
    expect(run.records.filter((r) => r.type === 'step').map((r) => r.step)).toEqual([
      1, 2, 4, 5, 6, 8, 9, 10,
    ]);
    const kinds = await decodable(run.checkpoints);
    expect(kinds.filter((k) => k.startsWith('last'))).toHaveLength(6);
    const last = run.checkpoints.at(-1) as EncodedCheckpoint;
    expect(last.manifest.optimizer.step).toBe(8); // one update per batch not skipped
  });

  it('skip cannot mend non-finite weights: the run stops', async () => {
    const model = new TinyClassifier(16, 3, 5);
    const onStep = (e: { step: number }) => {
      const w2 = model.namedVariables().find(([n]) => n === 'w2')?.[1] as tf.Variable;
      if (e.step === 1) tf.tidy(() => w2.assign(tf.fill(w2.shape, Number.NaN)));
    };
    const config: TrainConfig = { ...CONFIG, onNonFinite: 'skip' };
    const error = await train(options(model, { config, onStep })).catch((e) => e);
    model.dispose();
    // Step 2's loss is NaN: skipped, then the weights are checked.
    expect(error).toMatchObject({ what: 'weights', at: { step: 2 } });
  });

  it("stop mode adds no kernel to a step: the guard reads the kept losses with the step record's read (one Pack per read)", async () => {
    const kernels = async (f: () => Promise<unknown>) =>
      (
        await tf.profile(async () => {
          await f();
          return [];
        })
      ).kernels.length;
    const config = (maxSteps: number): TrainConfig => ({
      ...CONFIG,
      epochs: 1,
      maxSteps,
      printInterval: 5,
      checkpointEvery: 0,
    });
    const trainSet80 = toyDataset(80, 1);
    const trainSteps = async (maxSteps: number) => {
      const model = new TinyClassifier(16, 3, 5);
      const run = options(model, { trainSet: trainSet80, config: config(maxSteps) });
      const n = await kernels(() => train(run));
      model.dispose();
      return n;
    };
    const perStep = ((await trainSteps(10)) - (await trainSteps(5))) / 5;
    // The step without the guard: gradients, update, the two device sums.
    const model = new TinyClassifier(16, 3, 5);
    const optimizer = createOptimizer(CONFIG.optimizer);
    const rng = createRng(1);
    const batch = batches(trainSet80, { batchSize: 8, rng: new Xoshiro128(0) })
      [Symbol.iterator]()
      .next().value;
    const sums = [tf.scalar(0), tf.scalar(0)];
    const step = async () => {
      const g = batchGradients(model, batch!.xs, batch!.ys, rng);
      optimizer.apply(
        model.namedVariables().filter(([, v]) => v.trainable),
        g.grads,
        0.05,
      );
      const next = [tf.add(sums[0]!, g.loss), tf.add(sums[1]!, g.correct)];
      tf.dispose([...Object.values(g.grads), g.loss, g.correct, ...next]);
    };
    await step(); // Adam makes its slots on the first step
    const bare = await kernels(step);
    tf.dispose([batch!.xs, batch!.ys, ...sums]);
    optimizer.dispose();
    model.dispose();
    expect(perStep).toBe(bare + 1 / 5);
  });

  it('allFinite and LossLog: NaN and ±Infinity are found, the first non-finite loss is named, nothing leaks', async () => {
    const t = (v: number[]) => tf.tensor1d(v);
    const finite = [t([1, 2]), t([-3e38, 0])];
    expect(await allFinite(finite)).toBe(true);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const x = t([0, bad]);
      expect(await allFinite([...finite, x])).toBe(false);
      x.dispose();
    }
    expect(await allFinite([])).toBe(true);
    tf.dispose(finite);
    const log = new LossLog();
    const at = (step: number) => ({ step, epoch: 0, batch: step - 1, lr: 1 });
    log.push(tf.scalar(2.5), at(1));
    expect(await log.read(null)).toBe(2.5);
    expect(await log.read(null)).toBeUndefined();
    for (const [i, v] of [1, Number.POSITIVE_INFINITY, Number.NaN].entries())
      log.push(tf.scalar(v), at(i + 1));
    await expect(log.read(7)).rejects.toMatchObject({
      what: 'loss',
      value: Number.POSITIVE_INFINITY,
      at: { step: 2 },
      lastCheckpointStep: 7,
    });
  });
});
