import { GroupConv2D, type Implementation } from '@gcnn/group-conv';
import * as tf from '@tensorflow/tfjs-core';
import {
  convOptions,
  convOutputSize,
  type GroupLayerConfig,
  serializable,
} from './group-layer-config';
import { type CallKwargs, type LayerArgs, ModuleLayer } from './module-layer';

/** A {@link GroupLayerConfig} plus the factorisation. */
export interface GroupConvLayerConfig extends GroupLayerConfig {
  /** Kernel factorisation (default `'nonseparable'`). */
  implementation?: Implementation;
}

/**
 * gcnn's group convolution (every implementation) as a tfjs-layers layer: group features
 * `[batch, h, w, G, C]` → `[batch, h′, w′, G, filters]`, on the `discretize` grid of H for input
 * and output. Kernels are sampled in training and cached in inference (`predict`), re-sampled
 * after new weights are loaded.
 */
export class GcnnGroupConv2D extends ModuleLayer<GroupConv2D> {
  static readonly className = 'GcnnGroupConv2D';
  readonly config: GroupConvLayerConfig;
  /** The input's group elements `[G, paramDim]` (the grid; a stable tensor so kernels cache). */
  private inputElements: tf.Tensor2D | null = null;

  constructor(args: GroupConvLayerConfig & LayerArgs) {
    super(args);
    this.config = args;
  }

  protected createModule(inputShape: number[]): GroupConv2D {
    const options = convOptions(this.getClassName(), this.config, inputShape[3] as number);
    const layer = new GroupConv2D({ ...options, implementation: this.config.implementation });
    this.inputElements?.dispose();
    this.inputElements = tf.keep(
      tf.tidy(() =>
        options.group.subgroup.sample(this.config.sampleCount, { method: 'discretize' }),
      ),
    );
    return layer;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: CallKwargs): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor5D;
    const training = kwargs.training ?? false;
    const module = this.current(training);
    return module.apply({ features: x, elements: this.inputElements as tf.Tensor2D }, { training })
      .features;
  }

  override computeOutputShape(inputShape: (number | null)[]): (number | null)[] {
    const [b, h, w, g] = inputShape as [number | null, number | null, number | null, number];
    const { kernelSize: k, strides = 1, padding = 'same' } = this.config;
    return [
      b,
      convOutputSize(h, k, strides, padding),
      convOutputSize(w, k, strides, padding),
      g,
      this.config.filters,
    ];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...serializable(this.config) } as tf.serialization.ConfigDict;
  }

  override dispose() {
    const result = super.dispose();
    if (result.refCountAfterDispose === 0) {
      this.inputElements?.dispose();
      this.inputElements = null;
    }
    return result;
  }
}
