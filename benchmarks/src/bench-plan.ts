import type { ReferenceMalloc } from './bench-options';
import { BENCH_CONFIGS } from './configs';

/** A gcnn measurement: one process of measure.ts. */
export interface Job {
  config: string;
  backend: 'cpu' | 'wasm';
  mode:
    | 'train16'
    | 'train64'
    | 'infer64'
    | 'infer64-nocache'
    | 'train16-w2'
    | 'train64-w2'
    | 'infer64-w2';
}

/** The reference's modes: the step (`train<B>`) or the eval-mode forward under no_grad (`infer64`). */
export type ReferenceMode = 'train16' | 'train64' | 'infer64';

/** One process of a run, in order: a gcnn measurement or the reference's measurement of a cell. */
export type BenchStep =
  | { kind: 'gcnn'; job: Job }
  | { kind: 'reference'; config: string; mode: ReferenceMode; malloc: ReferenceMalloc };

/**
 * The matrix. wasm: everything. cpu: inference of the separable models and the small default
 * model's training only — tfjs-backend-cpu's conv/depthwise backprops are naive loops (minutes
 * per step) and its conv2d runs ≈1 GFLOP/s (the nonseparable and Sim(2) forwards take minutes).
 */
export function benchJobs(quick: boolean, configs?: readonly string[]): Job[] {
  const out: Job[] = [];
  for (const c of BENCH_CONFIGS) {
    if (configs && !configs.includes(c.id)) continue;
    const modes: Job['mode'][] = quick
      ? ['train16', 'infer64']
      : ['train16', 'train64', 'infer64', 'infer64-nocache'];
    for (const mode of modes) {
      if (quick && c.id === 'se2-nonseparable' && mode !== 'train16') continue;
      out.push({ config: c.id, backend: 'wasm', mode });
    }
  }
  // Each wasm training step and cached inference again data-parallel on 2 threads
  // (parallel-workload.ts), right after it.
  const withParallel = out.flatMap((j) =>
    j.mode === 'train16' || j.mode === 'train64' || j.mode === 'infer64'
      ? [j, { ...j, mode: `${j.mode}-w2` as const }]
      : [j],
  );
  // cpu (one row each, to show that backend's cost; the full run had default train64 and the cpu
  // -w2 rows until 2026-11-27, which took it to 34 min against the 30-minute budget)
  const cpu: Job[] = [
    { config: 'default', backend: 'cpu', mode: 'train16' },
    { config: 'se2-separable', backend: 'cpu', mode: 'infer64' },
    ...(quick ? [] : [{ config: 'default', backend: 'cpu', mode: 'infer64' } as const]),
  ];
  return [...withParallel, ...cpu.filter((j) => !configs || configs.includes(j.config))];
}

/**
 * The reference mode a gcnn mode is compared with: the same step or inference at the same batch
 * (`train16-w2` → `train16`; `infer64-nocache` → `infer64`: the reference has no kernel cache).
 */
export function referenceModeOf(mode: string): ReferenceMode {
  const base = mode.replace(/-(w\d+|nocache)$/, '');
  if (base !== 'train16' && base !== 'train64' && base !== 'infer64') {
    throw new Error(`referenceModeOf: no reference mode for '${mode}'`);
  }
  return base;
}

/**
 * The order of a run's processes. Without the reference (`mallocs` empty): the jobs. With it,
 * jobs are grouped into cells (configuration × reference mode; consecutive jobs of one cell form
 * a block) and the reference is measured once per cell and allocator, next to the cell's first
 * block, alternately after it (even cells) and before it (odd cells), so that a machine slowing
 * down or speeding up during a run biases neither side. With two allocators the order around the
 * block is mirrored too (block, stock, retain; then retain, stock, block): the reference as
 * installed always next to gcnn, neither allocator always first. Later blocks of a measured cell
 * (the cpu rows at the end) are compared with those measurements.
 */
export function interleave(
  jobs: readonly Job[],
  mallocs: readonly ReferenceMalloc[] = [],
): BenchStep[] {
  const gcnn = (job: Job): BenchStep => ({ kind: 'gcnn', job });
  if (mallocs.length === 0) return jobs.map(gcnn);
  const steps: BenchStep[] = [];
  const measured = new Set<string>();
  for (let i = 0; i < jobs.length; ) {
    const mode = referenceModeOf(jobs[i]!.mode);
    const config = jobs[i]!.config;
    let end = i + 1;
    while (
      end < jobs.length &&
      jobs[end]!.config === config &&
      referenceModeOf(jobs[end]!.mode) === mode
    )
      end++;
    const block = jobs.slice(i, end).map(gcnn);
    const key = `${config} ${mode}`;
    if (measured.has(key)) steps.push(...block);
    else {
      const references = mallocs.map(
        (malloc): BenchStep => ({ kind: 'reference', config, mode, malloc }),
      );
      steps.push(
        ...(measured.size % 2 === 0
          ? [...block, ...references]
          : [...references.reverse(), ...block]),
      );
      measured.add(key);
    }
    i = end;
  }
  return steps;
}
