import * as tf from '@tensorflow/tfjs-core';
import { batchMatMulConfig } from './batch-mat-mul';
import { batchNormTrainConfig, batchNormTrainGradConfig } from './batch-norm-train';
import { conv2DConfig } from './conv2d';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input';
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwise-conv2d-backprop-filter';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwise-conv2d-backprop-input';
import { depthwiseConv2dNativeConfig } from './depthwise-conv2d-native';
import { fusedBatchNormConfig } from './fused-batch-norm';
import { fusedDepthwiseConv2DConfig } from './fused-depthwise-conv2d';
import { groupAxisMergeConfig, groupAxisSplitConfig } from './group-axis';
import { guardWasmHeap } from './heap-guard';
import { identityConfig } from './identity';
import { maxPoolGradConfig } from './max-pool-grad';
import { perChannelMixConfig, perChannelMixFilterConfig } from './per-channel-mix';
import { rowNormalizeConfig, rowNormalizeGradConfig } from './row-normalize';
import { meanConfig, sumConfig } from './row-reductions';
import { cosConfig, sinConfig } from './sine';
import { sliceConfig, splitVConfig, unpackConfig } from './slice';
import { stockKernels } from './stock-kernels';
import { transposeConfig } from './transpose';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum';

/** Every kernel this package registers for backend 'wasm'. */
export const WASM_TRAINING_KERNELS: readonly tf.KernelConfig[] = [
  batchMatMulConfig,
  conv2DConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeConfig,
  fusedDepthwiseConv2DConfig,
  fusedBatchNormConfig,
  batchNormTrainConfig,
  batchNormTrainGradConfig,
  maxPoolGradConfig,
  meanConfig,
  sumConfig,
  sinConfig,
  cosConfig,
  rowNormalizeConfig,
  rowNormalizeGradConfig,
  groupAxisSplitConfig,
  groupAxisMergeConfig,
  perChannelMixConfig,
  perChannelMixFilterConfig,
  sliceConfig,
  splitVConfig,
  unpackConfig,
  transposeConfig,
  unsortedSegmentSumConfig,
  identityConfig,
];

let registered = false;

/**
 * Registers the kernels that let the tfjs wasm backend train conv nets, for backend 'wasm' only
 * (kernels, not gradients: other backends are untouched). Idempotent. Adds the missing
 * `Conv2DBackpropFilter`, `DepthwiseConv2dNativeBackpropInput`,
 * `DepthwiseConv2dNativeBackpropFilter` and `UnsortedSegmentSum`; replaces the stock
 * `MaxPoolGrad` (wrong for all-negative windows in 4.22.0; SIMD for tiling windows),
 * `Conv2DBackpropInput` (correct but slow), `Conv2D` (a SIMD kernel for one input channel, the
 * rest stock), `DepthwiseConv2dNative` (a SIMD kernel, ≈ 6× faster on 7×7 filters) and
 * `FusedDepthwiseConv2D` (the same, adding a bias and a ReLU as it stores),
 * `BatchMatMul` (a SIMD kernel for row vector × matrix, the rest stock), `FusedBatchNorm` (one
 * SIMD pass `x·s + t` for per-channel statistics), `Sum` and `Mean` (SIMD
 * for the innermost axes), `Sin` and `Cos` (SIMD, float32), `Slice`, `SplitV` and `Unpack` (copied the whole input per slice),
 * `Transpose` (a generic loop for 5 and more axes, ≈ 20× slower) and `Identity`
 * (copied the data of every tensor saved for a gradient; shares it now); adds
 * `GcnnRowNormalize` and `GcnnRowNormalizeGrad`, the fused layer norm @gcnn/group-conv runs when
 * they are registered, `GcnnBatchNormTrain` and `GcnnBatchNormTrainGrad`, its training-mode batch
 * norm in five passes, and `GcnnGroupAxisSplit` and `GcnnGroupAxisMerge`, with which it runs the
 * rotation mixings of its separable convolutions in Fourier form, and `GcnnPerChannelMix` and
 * `GcnnPerChannelMixFilter`, its per-channel scale mixing of Sim(2) `separable+2d`.
 * Makes a failed wasm allocation throw `WasmHeapExhaustedError` instead of corrupting the heap
 * (see `guardWasmHeap`). Does not need the wasm backend to be initialised; import
 * `@tensorflow/tfjs-backend-wasm` yourself. Returns the kernel names it registered.
 */
export function registerWasmTrainingKernels(): string[] {
  if (registered) return WASM_TRAINING_KERNELS.map((k) => k.kernelName);
  for (const config of WASM_TRAINING_KERNELS) {
    const stock = tf.getKernel(config.kernelName, 'wasm');
    if (stock) {
      stockKernels.set(config.kernelName, stock);
      tf.unregisterKernel(config.kernelName, 'wasm');
    }
    tf.registerKernel(config);
  }
  // only a backend that is already initialised (findBackend would initialise it)
  const engine = tf.engine() as unknown as { registry: Record<string, tf.KernelBackend> };
  guardWasmHeap(engine.registry.wasm);
  registered = true;
  return WASM_TRAINING_KERNELS.map((k) => k.kernelName);
}

/** Undoes `registerWasmTrainingKernels`: removes its kernels and restores the stock ones. */
export function unregisterWasmTrainingKernels(): void {
  if (!registered) return;
  for (const config of WASM_TRAINING_KERNELS) {
    if (tf.getKernel(config.kernelName, 'wasm')) tf.unregisterKernel(config.kernelName, 'wasm');
    const stock = stockKernels.get(config.kernelName);
    if (stock) tf.registerKernel(stock);
  }
  stockKernels.clear();
  registered = false;
}

/** Whether `registerWasmTrainingKernels` is in effect. */
export function wasmTrainingKernelsRegistered(): boolean {
  return registered;
}
