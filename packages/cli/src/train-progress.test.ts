/**
 * The epoch line of `gcnn train` shows the learning rate its steps used, as the progress bar
 * showed it: under a per-step schedule the first and last step's (`2.00e-3→1.50e-3`), not the
 * epoch's starting value alone.
 */
import type { EpochRecord, StepEvent } from '@gcnn/training';
import { describe, expect, it } from 'vitest';
import { ONCE } from './cli.test-helpers';
import type { CliIo } from './io';
import type { TrainPlan } from './train-plan';
import { trainProgress } from './train-progress';

function io(): CliIo & { out: { text: string }; err: { text: string } } {
  const out = { text: '', write: (t: string) => (out.text += t) };
  const err = { text: '', isTTY: false, write: (t: string) => (err.text += t) };
  return { out, err, cwd: '.', env: {} };
}

const step = (batch: number, lr: number): StepEvent => ({
  epoch: 0,
  batch,
  batchesPerEpoch: 3,
  step: batch + 1,
  totalSteps: 3,
  lr,
  loss: 0.5,
  imagesPerSecond: undefined,
});

const record = (lr: number): EpochRecord => ({
  type: 'epoch',
  epoch: 0,
  step: 3,
  lr,
  trainLoss: 0.5,
  trainAccuracy: 0.5,
  testLoss: null,
  testAccuracy: null,
  bestTestAccuracy: null,
  bestEpoch: null,
  time: { elapsedSeconds: 1 },
});

/** One epoch of a 10-class model (the divergence warning's scale). */
const PLAN = { train: { epochs: 1, learningRate: 2e-3 }, model: { numClasses: 10 } } as Pick<
  TrainPlan,
  'train' | 'model'
>;

describe.skipIf(!ONCE)('trainProgress', () => {
  it("the epoch line's lr is the steps' lr as the bar showed it", async () => {
    const cli = io();
    const progress = trainProgress(cli, PLAN);
    for (const [batch, lr] of [
      [0, 2e-3],
      [1, 1.8e-3],
      [2, 1.5e-3],
    ] as const)
      await progress.onStep?.(step(batch, lr));
    progress.onEpoch?.(record(2e-3));
    expect(cli.err.text).toMatch(/epoch 1\/1 3\/3 100% .* lr 1\.50e-3 loss 0\.5000\n$/);
    expect(cli.out.text).toMatch(/^epoch 1: step 3, lr 2\.00e-3→1\.50e-3, /);
  });

  it('a constant lr is shown once; an epoch without steps here shows its record', async () => {
    const cli = io();
    const progress = trainProgress(cli, PLAN);
    await progress.onStep?.(step(0, 1e-4));
    await progress.onStep?.(step(1, 1e-4));
    progress.onEpoch?.(record(1e-4));
    progress.onEpoch?.(record(3e-4));
    expect(cli.out.text.split('\n').map((l) => l.match(/lr ([^,]+),/)?.[1])).toEqual([
      '1.00e-4',
      '3.00e-4',
      undefined,
    ]);
  });
});
