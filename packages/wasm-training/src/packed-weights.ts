import * as tf from '@tensorflow/tfjs-core';
import { wasmBackend } from './wasm-backend';

/**
 * Frees XNNPACK's packed copy of a filter that the stock wasm `Conv2D` keeps, without touching the
 * filter itself.
 *
 * The stock kernel caches its XNNPACK operator, which holds the filter repacked into its own
 * buffer, until the filter tensor is disposed: the C++ side deletes it from the filter's disposal
 * callback. A training step samples new kernels every step and keeps each until its layer's
 * backward pass, so each layer's filter was held twice through the whole step (the nonseparable
 * SE(2) model at batch 8: 62 MiB of filters, as much again packed). Unregistering the tensor on the
 * C++ side runs that callback; registering it again at the same offset restores the tensor, whose
 * data and JS record are untouched. The next convolution with the filter packs it again, a copy of
 * the filter against a convolution that reads it 2·N·H·W times.
 *
 * @param filter a tensor of the wasm backend whose `Conv2D` has just run.
 */
export function dropPackedWeights(backend: unknown, filter: tf.TensorInfo): void {
  const be = wasmBackend(backend);
  const registry = be.wasm?.tfjs;
  const data = be.dataIdMap.get(filter.dataId);
  if (registry === undefined || data === undefined) return;
  registry.disposeData(data.id);
  registry.registerTensor(data.id, tf.util.sizeFromShape(filter.shape), data.memoryOffset);
}
