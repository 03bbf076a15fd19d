import { availableParallelism, totalmem } from 'node:os';
import { wasmHeapLimitBytes } from '@gcnn/tfjs-wasm-training';
import { OutOfMemoryError, StepMemoryError, type StepPlan } from '@gcnn/training';
import type { BackendName } from './backend';

const MiB = 2 ** 20;

/**
 * The bytes one thread may use for a training step: `--memory-limit` MiB, else the wasm heap
 * (4 GiB per thread, wasm32), cpu and tensorflow a share of the machine's memory, else unknown
 * (webgpu, webgl: tfjs does not know the GPU's memory).
 */
export function memoryLimit(
  flagMiB: number | undefined,
  backend: BackendName,
  workers: number,
): number | undefined {
  if (flagMiB !== undefined) return flagMiB * MiB;
  if (backend === 'wasm') return wasmHeapLimitBytes();
  if (backend === 'cpu' || backend === 'tensorflow') return totalmem() / workers;
  return undefined;
}

/** The first lines' plan: what a step keeps and why, and batch norm's semantics with micro-batches. */
export function planLine(plan: StepPlan): string {
  const reason =
    plan.accumulateSteps > 1
      ? `${plan.reason}; batch statistics per micro-batch, gradients summed into one step`
      : plan.reason;
  return `gcnn: memory: ${reason}\n`;
}

const rowsText = (n: number) => `${n} ${n === 1 ? 'row' : 'rows'}`;

/**
 * A step that fits no plan, or memory running out, as one line saying which flags to use; other
 * errors as they are.
 */
export function memoryErrorForCli(
  error: unknown,
  run: { batchSize: number; workers: number; outDir: string },
): unknown {
  if (error instanceof StepMemoryError) {
    const { rowsPerThread: rows, fittingRows: fit, summary } = error;
    if (fit === 0) {
      return new Error(
        `${summary}; not even one row per thread fits: use a smaller model or more memory (--memory-limit)`,
      );
    }
    const accumulate = Math.ceil(rows / fit);
    const micro = Math.ceil(rows / accumulate);
    const options = [`--accumulate-steps ${accumulate} (micro-batches of ${rowsText(micro)})`];
    // more threads only where there are cores for them (gcnn train refuses more)
    const workers = Math.ceil(run.batchSize / fit);
    if (workers <= availableParallelism()) options.push(`--workers ${workers}`);
    options.push(`--batch-size ${fit * run.workers}`);
    return new Error(
      `${summary}; ${rowsText(fit)} per thread fit: use ${options.slice(0, -1).join(', ')} or ${options.at(-1)}`,
    );
  }
  if (error instanceof OutOfMemoryError) {
    return new Error(
      `${error.message.replace(/^Error in train: /, '')} Resume with gcnn train --resume ${run.outDir} --accumulate-steps N (or --workers N)`,
    );
  }
  return error;
}
