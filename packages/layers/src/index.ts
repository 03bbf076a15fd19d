/**
 * @file `@gcnn/layers`: gcnn's layers as tfjs-layers layers, registered with
 * `serialization.registerClass` when this module is imported, so `tf.sequential`, `model.fit`,
 * `model.save` and `tf.loadLayersModel` work with them. `@tensorflow/tfjs-layers` is a peer
 * dependency; the `@gcnn/group-conv` layers stay usable without it.
 */
import { serialization } from '@tensorflow/tfjs-core';
import { GcnnGroupBatchNorm } from './group-batch-norm';
import { GcnnGroupConv2D } from './group-conv-2d';
import { GcnnGroupMaxPool2D, GcnnGroupPool, GcnnInvariantPool } from './group-pooling';
import { GcnnLiftingConv2D } from './lifting-conv-2d';

for (const layer of [
  GcnnLiftingConv2D,
  GcnnGroupConv2D,
  GcnnGroupBatchNorm,
  GcnnGroupMaxPool2D,
  GcnnGroupPool,
  GcnnInvariantPool,
])
  serialization.registerClass(
    layer as unknown as serialization.SerializableConstructor<serialization.Serializable>,
  );

export { GcnnGroupBatchNorm, type GroupBatchNormConfig } from './group-batch-norm';
export { GcnnGroupConv2D, type GroupConvLayerConfig } from './group-conv-2d';
export type { GroupLayerConfig } from './group-layer-config';
export { GcnnGroupMaxPool2D, GcnnGroupPool, GcnnInvariantPool } from './group-pooling';
export { GcnnLiftingConv2D } from './lifting-conv-2d';
export type { LayerArgs } from './module-layer';
