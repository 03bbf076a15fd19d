import { GroupBatchNorm } from '@gcnn/group-conv';
import type * as tf from '@tensorflow/tfjs-core';
import { type CallKwargs, type LayerArgs, ModuleLayer } from './module-layer';

/** Options of {@link GcnnGroupBatchNorm}. */
export interface GroupBatchNormConfig {
  epsilon?: number;
  momentum?: number;
}

/**
 * gcnn's group batch norm as a tfjs-layers layer: `[batch, h, w, G, C]`, statistics per channel
 * over batch, space and the group (so it commutes with the group action). Training updates the
 * running statistics (non-trainable weights `runningMean`, `runningVar`).
 */
export class GcnnGroupBatchNorm extends ModuleLayer<GroupBatchNorm> {
  static readonly className = 'GcnnGroupBatchNorm';
  readonly config: GroupBatchNormConfig;

  constructor(args: GroupBatchNormConfig & LayerArgs = {}) {
    super(args);
    this.config = { epsilon: args.epsilon, momentum: args.momentum };
  }

  protected createModule(inputShape: number[]): GroupBatchNorm {
    return new GroupBatchNorm({ channels: inputShape[3] as number, ...this.options() });
  }

  private options(): GroupBatchNormConfig {
    return JSON.parse(JSON.stringify(this.config));
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: CallKwargs): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor5D;
    const training = kwargs.training ?? false;
    return this.current(training).apply(x, { training });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.options() } as tf.serialization.ConfigDict;
  }
}
