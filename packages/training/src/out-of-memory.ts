/**
 * Whether an error is a backend running out of memory: the wasm heap guard's
 * `WasmHeapExhaustedError`, a WebAssembly trap (`memory access out of bounds` when an
 * allocation inside a kernel failed, emscripten's `Aborted()`), or an allocation failure's
 * message — also when a data-parallel worker thread reported it.
 */
export function isOutOfMemory(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'WasmHeapExhaustedError') return true;
  if (typeof WebAssembly !== 'undefined' && error instanceof WebAssembly.RuntimeError) return true;
  return /out of memory|memory access out of bounds|Aborted\(|Cannot enlarge memory|Array buffer allocation failed/i.test(
    error.message,
  );
}

/** What was running when memory ran out, for {@link OutOfMemoryError}'s message. */
export interface OutOfMemoryContext {
  phase: 'training step' | 'evaluation';
  /** The step that failed (training) or the last one done (evaluation). */
  step: number;
  /** The model, e.g. `ckgresnet Sim2 separable+2d [16,3]`. */
  model: string;
  /** Rows of the batch, and threads sharing them. */
  batch: number;
  replicas: number;
  /** How the rows were computed, e.g. `lean` or `checkpoint, 2 micro-batches of 16 rows`. */
  plan?: string;
  backend: string;
  /** Step of the last `last` checkpoint written (absent: none yet). */
  lastCheckpointStep?: number;
}

/**
 * A training or evaluation call that ran out of backend memory: says which model, batch and
 * backend, and that the last checkpoint (written atomically before) is intact. The original
 * error is its `cause`.
 */
export class OutOfMemoryError extends Error {
  constructor(
    readonly context: OutOfMemoryContext,
    cause: unknown,
  ) {
    const c = context;
    const rows = Math.ceil(c.batch / c.replicas);
    const first = (cause instanceof Error ? cause.message : String(cause))
      .split('\n')[0]
      ?.replace(/\.$/, '');
    const saved =
      c.lastCheckpointStep === undefined
        ? 'no checkpoint was written yet'
        : `the last checkpoint (step ${c.lastCheckpointStep}) is intact`;
    super(
      `Error in train: out of memory in ${c.phase} ${c.phase === 'evaluation' ? `after step ${c.step}` : c.step} (model ${c.model}; batch ${c.batch} = ${rows} rows per thread on ${c.replicas} thread${c.replicas > 1 ? 's' : ''}${c.plan ? `, ${c.plan}` : ''}; backend ${c.backend}): ${first}. ${saved[0]?.toUpperCase()}${saved.slice(1)}; use fewer rows per thread (micro-batches, more threads or a smaller batch).`,
      { cause },
    );
    this.name = 'OutOfMemoryError';
  }
}

/** A short name of a model from its config's usual fields (`ckgresnet Sim2 separable+2d [16,3]`). */
export function describeModel(config: unknown): string {
  if (typeof config !== 'object' || config === null) return 'model';
  const c = config as Record<string, unknown>;
  const parts = [c.model, c.group, c.implementation, c.sampleCount]
    .filter((v) => v !== undefined)
    .map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return parts.length > 0 ? parts.join(' ') : 'model';
}
