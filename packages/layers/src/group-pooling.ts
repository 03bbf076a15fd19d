import { globalInvariantPool, groupPool, groupSpatialPool2d } from '@gcnn/group-conv';
import type * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import type { LayerArgs } from './module-layer';

type Reduce = 'max' | 'mean';
const first = (inputs: tf.Tensor | tf.Tensor[]) =>
  (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor5D;

/** Spatial 2×2 (or `poolSize`) pooling of group features `[b, h, w, G, C]` → `[b, h′, w′, G, C]` ('valid'). */
export class GcnnGroupMaxPool2D extends layers.Layer {
  static readonly className = 'GcnnGroupMaxPool2D';
  readonly poolSize: number;

  constructor(args: { poolSize?: number } & LayerArgs = {}) {
    super(args);
    this.poolSize = args.poolSize ?? 2;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return groupSpatialPool2d(first(inputs), 'max', { poolSize: this.poolSize });
  }

  override computeOutputShape(s: (number | null)[]): (number | null)[] {
    const down = (v: number | null) => (v === null ? null : Math.floor(v / this.poolSize));
    return [
      s[0] as null,
      down(s[1] as number | null),
      down(s[2] as number | null),
      s[3] as number,
      s[4] as number,
    ];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), poolSize: this.poolSize };
  }
}

/** A parameter-free pooling layer with a `reduce` option (`'max'`, the reference's, or `'mean'`). */
abstract class ReducingLayer extends layers.Layer {
  readonly reduce: Reduce;

  constructor(args: { reduce?: Reduce } & LayerArgs = {}) {
    super(args);
    this.reduce = args.reduce ?? 'max';
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), reduce: this.reduce };
  }
}

/** Pooling over the group axis: `[b, h, w, G, C]` → `[b, h, w, C]` (invariant to H). */
export class GcnnGroupPool extends ReducingLayer {
  static readonly className = 'GcnnGroupPool';

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return groupPool(first(inputs), this.reduce);
  }

  override computeOutputShape(s: (number | null)[]): (number | null)[] {
    return [s[0] as null, s[1] as number, s[2] as number, s[4] as number];
  }
}

/** Global pooling over space and group: `[b, h, w, G, C]` → `[b, C]` (invariant to translations and H). */
export class GcnnInvariantPool extends ReducingLayer {
  static readonly className = 'GcnnInvariantPool';

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return globalInvariantPool(first(inputs), this.reduce);
  }

  override computeOutputShape(s: (number | null)[]): (number | null)[] {
    return [s[0] as null, s[4] as number];
  }
}
