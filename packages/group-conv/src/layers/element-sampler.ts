import type { Rng, SampleCount, SamplingMethod, Subgroup } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';

/**
 * The output elements of a layer: the discretised grid (kept, so its identity is stable and
 * kernels sampled for it can be cached), or in training with `uniform` a freshly rotated grid.
 */
export class ElementSampler {
  private grid: tf.Tensor2D | null = null;

  constructor(
    private readonly subgroup: Subgroup,
    readonly count: SampleCount,
    readonly method: SamplingMethod,
  ) {
    subgroup.sampleSize(count); // validates count
  }

  get size(): number {
    return this.subgroup.sampleSize(this.count);
  }

  /** The discretised grid, owned by the sampler. */
  discretized(): tf.Tensor2D {
    if (!this.grid) this.grid = tf.keep(this.subgroup.sample(this.count));
    return this.grid;
  }

  /** Elements for one call; `uniform` needs `rng` in training. */
  sample(training: boolean, rng: Rng | undefined, op: string): tf.Tensor2D {
    if (this.method === 'discretize' || !training) return this.discretized();
    if (!rng) throw new Error(`Error in ${op}: sampling 'uniform' in training needs options.rng`);
    return this.subgroup.sample(this.count, { method: 'uniform', rng });
  }

  dispose(): void {
    this.grid?.dispose();
    this.grid = null;
  }
}
