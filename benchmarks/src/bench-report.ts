import type { ReferenceMalloc } from './bench-options';
import type { FlopSummary } from './flops';

/** A measurement process that failed: its row in the table says why. */
export interface FailedMeasurement {
  config: string;
  backend: string;
  mode: string;
  /** The process's last error line. */
  error: string;
  loadBefore: number;
}

/**
 * Resource use of the measuring process per timed call (`getrusage`: every thread of the
 * process): user and system CPU time, and minor page faults (pages the kernel mapped in).
 */
export interface CpuPerCall {
  userMs: number;
  systemMs: number;
  minorFaults: number;
}

/** What every timed measurement has: the median (min, max) of its repetitions, its memory. */
interface Timed {
  config: string;
  backend: string;
  mode: string;
  error?: undefined;
  medianMs: number;
  minMs: number;
  maxMs: number;
  imagesPerSecond: number;
  /** The measuring process's own peak RSS (Node: `process.resourceUsage()`; Python: `getrusage`). */
  peakRssMiB: number;
  /** 1-minute load average before the process started. */
  loadBefore: number;
  /** The process's CPU time and minor page faults per timed call, means (absent before 2026-12-07). */
  cpuPerCall?: CpuPerCall;
  [more: string]: unknown;
}

/** One line of measure.ts (gcnn). */
export interface GcnnMeasurement extends Timed {
  peakTfBytes: number;
}

/** One `RESULT` line of benchmarks/reference/bench_reference.py `step`; backend `torch-cpu` or `torch-cuda`. */
export interface ReferenceMeasurement extends Timed {
  params: number;
  torch: string;
  threads: number;
}

export type GcnnResult = GcnnMeasurement | FailedMeasurement;
export type ReferenceResult = ReferenceMeasurement | FailedMeasurement;

/** The reference as measured in this run. */
export interface ReferenceRun {
  /** torch and Python versions of the measuring interpreter, torch threads. */
  torch: string;
  python: string;
  threads: number;
  /** `git rev-parse --short HEAD` of the reference folder, or why it is unknown. */
  commit: string;
  /** How its allocator was set up for `results` (absent in reports before 2026-12-07: stock). */
  malloc?: ReferenceMalloc;
  results: ReferenceResult[];
  /**
   * `--reference-malloc both`: the same cells measured again, next to `results` (as installed),
   * with glibc keeping the memory it frees.
   */
  memoryKept?: ReferenceResult[];
}

/** One kernel of ceiling.ts. */
export interface CeilingKernel {
  gflops: number;
  what: string;
}

/** The kernels ceiling.ts measures. */
export type CeilingSet = Record<'conv2d' | 'matMul' | 'depthwise' | 'depthwiseSimd', CeilingKernel>;

/** Everything one `pnpm bench` run measured: benchmarks/results/latest(-quick|-partial).json. */
export interface BenchReport {
  date: string;
  quick: boolean;
  machine: { lscpu: string[]; nproc: number; node: string };
  /** ceiling.ts: GFLOP/s of single wasm kernels, and the load before it ran. */
  ceiling: CeilingSet & Record<string, unknown>;
  ceilingLoad: number;
  /**
   * ceiling.ts in two processes at once, right after the one-thread ceiling: what each core
   * delivers while the other works too (absent in reports from before 2026-12-06 17:00 UTC).
   */
  ceilingTwoAtOnce?: [CeilingSet, CeilingSet];
  flops: Record<string, { b16: FlopSummary; b64: FlopSummary }>;
  results: GcnnResult[];
  /** Present when the run measured the reference side by side (`--reference`). */
  reference?: ReferenceRun;
}
