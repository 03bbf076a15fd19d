import { MODEL_PRESETS, type ModelConfig } from '@gcnn/models';

/** A benchmarked configuration: a model config and the reference's measured numbers (if any). */
export interface BenchConfig {
  id: string;
  title: string;
  config: ModelConfig;
  /**
   * The PyTorch reference on this machine type on another day (benchmarks/reference-cpu.md),
   * seconds / MiB: what `pnpm bench` compares with when it does not run the reference itself.
   */
  reference?: {
    train64: number;
    train16: number;
    infer64: number;
    rssTrain64MiB: number;
    params: number;
  };
}

/**
 * The README's three MNIST-rot configurations, timed with `discretize` sampling (uniform sampling
 * changes only the element offsets, not the work), and the small `default` preset.
 */
export const BENCH_CONFIGS: BenchConfig[] = [
  {
    id: 'se2-nonseparable',
    title: 'SE(2) N=8 nonseparable',
    config: { ...MODEL_PRESETS['se2-nonseparable'], sampling: 'discretize' },
    reference: {
      train64: 12.21,
      train16: 3.42,
      infer64: 4.16,
      rssTrain64MiB: 1355,
      params: 716_490,
    },
  },
  {
    id: 'se2-separable',
    title: 'SE(2) N=8 separable',
    config: { ...MODEL_PRESETS['se2-separable'] },
    reference: {
      train64: 2.56,
      train16: 0.68,
      infer64: 0.85,
      rssTrain64MiB: 1510,
      params: 755_370,
    },
  },
  {
    id: 'sim2-separable2d',
    title: 'Sim(2) 16×3 separable+2d',
    config: { ...MODEL_PRESETS['sim2-separable2d'], sampling: 'discretize' },
    reference: {
      train64: 22.2,
      train16: 6.43,
      infer64: 7.71,
      rssTrain64MiB: 5933,
      params: 794_602,
    },
  },
  { id: 'default', title: 'default preset', config: { ...MODEL_PRESETS.default } },
];

export function benchConfig(id: string): BenchConfig {
  const c = BENCH_CONFIGS.find((b) => b.id === id);
  if (!c)
    throw new Error(`unknown config ${id}; one of ${BENCH_CONFIGS.map((b) => b.id).join(', ')}`);
  return c;
}

/**
 * The model configs of {@link BENCH_CONFIGS} by id, as the JSON file that
 * benchmarks/reference/bench_reference.py builds the reference's models from (`--configs`).
 */
export function benchConfigsJson(): string {
  return `${JSON.stringify(Object.fromEntries(BENCH_CONFIGS.map((c) => [c.id, c.config])), null, 2)}\n`;
}
