import { LiftingConv2D } from '@gcnn/group-conv';
import type * as tf from '@tensorflow/tfjs-core';
import {
  convOptions,
  convOutputSize,
  type GroupLayerConfig,
  groupSize,
  serializable,
} from './group-layer-config';
import { type CallKwargs, type LayerArgs, ModuleLayer } from './module-layer';

/**
 * gcnn's lifting convolution as a tfjs-layers layer: images `[batch, h, w, C]` → group features
 * `[batch, h′, w′, G, filters]` on the `discretize` grid of H. Kernels are sampled in training
 * and cached in inference (`predict`), re-sampled after new weights are loaded.
 */
export class GcnnLiftingConv2D extends ModuleLayer<LiftingConv2D> {
  static readonly className = 'GcnnLiftingConv2D';
  readonly config: GroupLayerConfig;

  constructor(args: GroupLayerConfig & LayerArgs) {
    super(args);
    this.config = args;
  }

  protected createModule(inputShape: number[]): LiftingConv2D {
    return new LiftingConv2D(
      convOptions(this.getClassName(), this.config, inputShape[2] as number),
    );
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: CallKwargs): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    const training = kwargs.training ?? false;
    return this.current(training).apply(x, { training }).features;
  }

  override computeOutputShape(inputShape: (number | null)[]): (number | null)[] {
    const [b, h, w] = inputShape as [number | null, number | null, number | null];
    const { kernelSize: k, strides = 1, padding = 'same' } = this.config;
    return [
      b,
      convOutputSize(h, k, strides, padding),
      convOutputSize(w, k, strides, padding),
      groupSize(this.config),
      this.config.filters,
    ];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...serializable(this.config) } as tf.serialization.ConfigDict;
  }
}
