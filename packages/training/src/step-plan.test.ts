/**
 * planStep: the faster `lean` when it fits, `checkpoint` when only that fits, micro-batches when
 * neither does, and one clear error naming the rows per thread that fit when nothing does.
 */

import type { StepBytesOptions } from '@gcnn/models';
import { describe, expect, it } from 'vitest';
import { planStep, StepMemoryError } from './step-plan';
import type { TrainableModel } from './trainable-model';

const MiB = 2 ** 20;

/** A model whose step takes 100 MiB + rows × (10 MiB lean, 4 MiB checkpoint). */
const model = {
  estimateStepBytes: ({ batch, memory }: StepBytesOptions) => {
    const total = (100 + batch * (memory === 'checkpoint' ? 4 : 10)) * MiB;
    return { parameters: 100 * MiB, step: total - 100 * MiB, total };
  },
} as unknown as TrainableModel;

/** The limit whose 75 % (the default headroom) is `usable` MiB. */
const limit = (usable: number) => (usable * MiB) / 0.75;

describe('planStep', () => {
  it('chooses lean when the whole shard fits', () => {
    const plan = planStep({ model, batchSize: 64, replicas: 2, limitBytes: limit(500) });
    expect(plan).toMatchObject({ memory: 'lean', accumulateSteps: 1, rowsPerMicroBatch: 32 });
    expect(plan.estimatedBytes).toBe(420 * MiB);
    expect(plan.reason).toMatch(
      /^lean, 32 rows per thread: ≈ 420 MiB of 667 MiB per thread \(fits\)/,
    );
  });

  it('chooses checkpoint when only it fits, and says why', () => {
    const plan = planStep({ model, batchSize: 64, replicas: 2, limitBytes: limit(300) });
    expect(plan).toMatchObject({ memory: 'checkpoint', accumulateSteps: 1 });
    expect(plan.reason).toMatch(/\(lean would need 420 MiB\)/);
  });

  it('splits into as few micro-batches as fit when nothing fits at once', () => {
    // checkpoint: 100 + 4·r ≤ 150 → r ≤ 12: 32 rows → 3 micro-batches of 11
    const plan = planStep({ model, batchSize: 64, replicas: 2, limitBytes: limit(150) });
    expect(plan).toMatchObject({ memory: 'checkpoint', accumulateSteps: 3, rowsPerMicroBatch: 11 });
    expect(plan.reason).toMatch(/checkpoint, 3 micro-batches of 11 rows per thread/);
  });

  it('keeps an explicit accumulateSteps and memory, and fails with the rows that fit', () => {
    expect(
      planStep({
        model,
        batchSize: 64,
        limitBytes: limit(500),
        accumulateSteps: 4,
        memory: 'checkpoint',
      }),
    ).toMatchObject({ memory: 'checkpoint', accumulateSteps: 4, rowsPerMicroBatch: 16 });
    let error: unknown;
    try {
      planStep({ model, batchSize: 64, limitBytes: limit(150), accumulateSteps: 2 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StepMemoryError);
    expect(error).toMatchObject({ rowsPerThread: 64, fittingRows: 12 });
    expect((error as Error).message).toMatch(
      /a training step of 64 rows per thread \(batch 64 on 1 thread in 2 micro-batches\) needs ≈ 228 MiB with checkpoint, .*; 12 rows per thread fit \(accumulateSteps 6/,
    );
  });

  it('fails when not even one row fits', () => {
    expect(() => planStep({ model, batchSize: 8, limitBytes: limit(90) })).toThrow(
      /not even one row fits/,
    );
  });

  it('without a limit or an estimate: lean (or what was asked), and says so', () => {
    expect(planStep({ model, batchSize: 8 })).toMatchObject({
      memory: 'lean',
      accumulateSteps: 1,
      reason: 'lean (no memory limit known)',
    });
    const plain = {} as TrainableModel;
    expect(
      planStep({
        model: plain,
        batchSize: 8,
        limitBytes: MiB,
        memory: 'checkpoint',
        accumulateSteps: 2,
      }),
    ).toMatchObject({ memory: 'checkpoint', accumulateSteps: 2, rowsPerMicroBatch: 4 });
  });

  it('rejects an accumulateSteps that is not 1 … rows per thread', () => {
    expect(() => planStep({ model, batchSize: 8, replicas: 2, accumulateSteps: 5 })).toThrow(
      /accumulateSteps must be an integer from 1 to the 4 rows per thread, got 5/,
    );
  });
});
