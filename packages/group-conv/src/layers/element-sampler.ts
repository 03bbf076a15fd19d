import type { GroupGrid, Rng, SamplingMethod, Subgroup } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';

/**
 * The output elements of a layer: the discretised grid (kept, so its identity is stable and
 * kernels sampled for it can be cached), or in training with `uniform` a freshly rotated grid.
 */
export class ElementSampler {
  private elements: tf.Tensor2D | null = null;

  constructor(
    private readonly subgroup: Subgroup,
    readonly grid: GroupGrid,
    readonly method: SamplingMethod,
  ) {}

  /** The discretised grid, owned by the sampler. */
  discretized(): tf.Tensor2D {
    if (!this.elements) this.elements = tf.keep(this.subgroup.sample(this.grid));
    return this.elements;
  }

  /** Elements for one call; `uniform` needs `rng` in training. */
  sample(training: boolean, rng: Rng | undefined, op: string): tf.Tensor2D {
    if (this.method === 'discretize' || !training) return this.discretized();
    if (!rng) throw new Error(`Error in ${op}: sampling 'uniform' in training needs options.rng`);
    return this.subgroup.sample(this.grid, { method: 'uniform', rng });
  }

  dispose(): void {
    this.elements?.dispose();
    this.elements = null;
  }
}
