import type { TrainingMemory } from '@gcnn/models';
import type { TrainableModel } from './trainable-model';

/**
 * How every training step of a run is computed so that it fits one thread's memory: chosen once,
 * before the first step, by {@link planStep}.
 */
export interface StepPlan {
  /** What the forward keeps for the backward pass (see `@gcnn/models`' `TrainingMemory`). */
  memory: TrainingMemory;
  /**
   * Micro-batches per thread: each thread's rows are split into this many contiguous parts whose
   * gradients are summed (gradient accumulation; 1: all rows at once).
   */
  accumulateSteps: number;
  /** Rows of the largest micro-batch a thread computes at once. */
  rowsPerMicroBatch: number;
  /** The model's estimate of one thread's peak bytes with this plan (absent: no estimate). */
  estimatedBytes?: number;
  /** The per-thread memory limit planned against (absent: none known). */
  limitBytes?: number;
  /** Why this plan, one line (what `gcnn train` prints before the first step). */
  reason: string;
}

/** Options of {@link planStep}. */
export interface PlanStepOptions {
  model: TrainableModel;
  batchSize: number;
  /** Threads computing a step (data-parallel replicas; default 1). */
  replicas?: number;
  /**
   * Bytes one thread may use: the wasm backend's heap (4 GiB per thread, wasm32), a share of the
   * machine's memory, … Absent: no planning (`lean`, or the memory and accumulation asked for).
   */
  limitBytes?: number;
  /** Fraction of `limitBytes` the estimate may take (default 0.75: kernels' own buffers, fragmentation). */
  headroom?: number;
  /** `auto` (default): `lean` if it fits, else `checkpoint`; or a fixed mode. */
  memory?: 'auto' | TrainingMemory;
  /** Micro-batches per thread; absent: 1 if the step fits, else as few as fit. */
  accumulateSteps?: number;
  /** Optimizer state per parameter (Adam 2, SGD with momentum 1). */
  optimizerSlots?: number;
}

const MiB = 2 ** 20;
/** `3.1 GiB`, or `420 MiB` below 1 GiB. */
const gib = (bytes: number) =>
  bytes >= 1024 * MiB
    ? `${(bytes / (1024 * MiB)).toFixed(1)} GiB`
    : `${Math.round(bytes / MiB)} MiB`;

/** Thrown by {@link planStep} when no plan fits: says how many rows per thread would. */
export class StepMemoryError extends Error {
  constructor(
    /** What does not fit, e.g. `a training step of 64 rows per thread (…) needs ≈ 6.2 GiB …`. */
    readonly summary: string,
    /** Rows per thread the batch asks for. */
    readonly rowsPerThread: number,
    /** The most rows per thread (and micro-batch) that fit; 0 if not even one does. */
    readonly fittingRows: number,
  ) {
    super(
      `Error in train: ${summary}; ${fittingRows > 0 ? `${fittingRows} rows per thread fit (accumulateSteps ${Math.ceil(rowsPerThread / fittingRows)}, more replicas, or a smaller batch)` : 'not even one row fits'}`,
    );
    this.name = 'StepMemoryError';
  }
}

/**
 * Chooses how to compute each training step from the model's estimate of a step's bytes
 * (`model.estimateStepBytes`) against the per-thread limit: with `memory: 'auto'` the faster
 * `lean` if the whole shard fits, else `checkpoint` (one more forward pass of compute, far less
 * memory), else `checkpoint` over as few micro-batches as fit (`accumulateSteps`; batch
 * statistics per micro-batch). Throws a {@link StepMemoryError} naming the rows per thread that
 * fit when nothing does, or when an explicit `accumulateSteps` or `memory` does not fit.
 */
export function planStep(options: PlanStepOptions): StepPlan {
  const replicas = options.replicas ?? 1;
  const rows = Math.ceil(options.batchSize / replicas);
  const asked = options.accumulateSteps;
  if (asked !== undefined && (!Number.isInteger(asked) || asked < 1 || asked > rows)) {
    throw new Error(
      `Error in planStep: accumulateSteps must be an integer from 1 to the ${rows} rows per thread, got ${String(asked)}`,
    );
  }
  const modes: TrainingMemory[] =
    !options.memory || options.memory === 'auto' ? ['lean', 'checkpoint'] : [options.memory];
  const estimate = options.model.estimateStepBytes;
  const limit = options.limitBytes;
  if (!estimate || limit === undefined) {
    const accumulateSteps = asked ?? 1;
    const why = estimate ? 'no memory limit known' : 'the model gives no memory estimate';
    return {
      memory: modes[0] as TrainingMemory,
      accumulateSteps,
      rowsPerMicroBatch: Math.ceil(rows / accumulateSteps),
      reason: `${modes[0]} (${why})`,
    };
  }
  const budget = limit * (options.headroom ?? 0.75);
  const bytes = (batch: number, memory: TrainingMemory) =>
    estimate.call(options.model, { batch, memory, optimizerSlots: options.optimizerSlots }).total;
  const plan = (memory: TrainingMemory, accumulateSteps: number, why: string): StepPlan => {
    const micro = Math.ceil(rows / accumulateSteps);
    const need = bytes(micro, memory);
    const where = `${gib(need)} of ${gib(limit)} per thread`;
    return {
      memory,
      accumulateSteps,
      rowsPerMicroBatch: micro,
      estimatedBytes: need,
      limitBytes: limit,
      reason: `${memory}, ${accumulateSteps > 1 ? `${accumulateSteps} micro-batches of ${micro} rows` : `${micro} rows`} per thread: ≈ ${where} (${why})`,
    };
  };
  const fits = (memory: TrainingMemory, a: number) => bytes(Math.ceil(rows / a), memory) <= budget;
  const first = asked ?? 1;
  const memory = modes.find((m) => fits(m, first));
  if (memory) {
    const faster = modes[0] as TrainingMemory;
    const why =
      memory === faster
        ? 'fits'
        : `${faster} would need ${gib(bytes(Math.ceil(rows / first), faster))}`;
    return plan(memory, first, why);
  }
  const frugal = modes[modes.length - 1] as TrainingMemory;
  const fitting = largestFitting(rows, (r) => bytes(r, frugal) <= budget);
  if (asked === undefined && fitting > 0) {
    const a = Math.ceil(rows / fitting);
    return plan(frugal, a, `${rows} rows at once would need ${gib(bytes(rows, frugal))}`);
  }
  const need = gib(bytes(Math.ceil(rows / (asked ?? 1)), frugal));
  throw new StepMemoryError(
    `a training step of ${rows} rows per thread (batch ${options.batchSize} on ${replicas} thread${replicas > 1 ? 's' : ''}${asked && asked > 1 ? ` in ${asked} micro-batches` : ''}) needs ≈ ${need} with ${frugal}, more than ${gib(budget)} of the ${gib(limit)} per thread`,
    rows,
    fitting,
  );
}

/** The largest r in [0, max] with fits(r) (fits monotone: true up to some r). */
function largestFitting(max: number, fits: (rows: number) => boolean): number {
  let lo = 0;
  let hi = max;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
