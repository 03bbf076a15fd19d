import * as tf from '@tensorflow/tfjs-core';
import { optimizerSlotCount } from './create-optimizer';
import type { StepOptions } from './data-parallel';
import {
  describeModel,
  isOutOfMemory,
  type OutOfMemoryContext,
  OutOfMemoryError,
} from './out-of-memory';
import { planStep, type StepPlan } from './step-plan';
import type { TrainOptions } from './train';

/** How a run's steps fit memory, and how it reports running out. */
export interface RunMemory {
  plan: StepPlan;
  /** The plan's memory mode and micro-batches, for every step. */
  stepOptions: StepOptions;
  /** Says what runs from now on: the steps (and their batches) or an evaluation. */
  enter(phase: OutOfMemoryContext['phase']): void;
  /** `error` as an {@link OutOfMemoryError} naming what ran if memory ran out, else as it is. */
  failure(error: unknown): unknown;
}

/**
 * Plans a run's steps ({@link planStep} with the run's batch, replicas, optimizer and
 * `memoryLimitBytes`), tells `onPlan`, and keeps what an out-of-memory error must say: the model,
 * the batch, the plan, the backend and the last checkpoint written (`lastCheckpointStep`).
 */
export async function runMemory(
  options: TrainOptions,
  modelConfig: unknown,
  stepsDone: () => number,
  lastCheckpointStep: () => number | null,
): Promise<RunMemory> {
  const { model, config } = options;
  const replicas = options.dataParallel?.replicas ?? 1;
  const plan = planStep({
    model,
    batchSize: config.batchSize,
    replicas,
    limitBytes: options.memoryLimitBytes,
    memory: config.memory,
    accumulateSteps: config.accumulateSteps,
    optimizerSlots: optimizerSlotCount(config.optimizer),
  });
  await options.onPlan?.(plan);
  let phase: OutOfMemoryContext['phase'] = 'training step';
  return {
    plan,
    stepOptions: { memory: plan.memory, accumulateSteps: plan.accumulateSteps },
    enter(next) {
      phase = next;
    },
    failure(error) {
      if (!isOutOfMemory(error)) return error;
      const step = phase === 'training step' ? stepsDone() + 1 : stepsDone();
      const checkpoint = lastCheckpointStep();
      const batch =
        phase === 'evaluation' ? (config.evalBatchSize ?? config.batchSize) : config.batchSize;
      return new OutOfMemoryError(
        {
          phase,
          step,
          model: describeModel(modelConfig),
          batch,
          replicas,
          ...(phase === 'training step' ? { plan: describePlan(plan) } : {}),
          backend: tf.getBackend(),
          ...(checkpoint !== null ? { lastCheckpointStep: checkpoint } : {}),
        },
        error,
      );
    },
  };
}

/** `lean`, or `checkpoint, 3 micro-batches of 11 rows`. */
export function describePlan(plan: StepPlan): string {
  return plan.accumulateSteps > 1
    ? `${plan.memory}, ${plan.accumulateSteps} micro-batches of ${plan.rowsPerMicroBatch} rows`
    : plan.memory;
}
