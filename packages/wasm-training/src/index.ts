export { batchMatMulConfig } from './batch-mat-mul';
export {
  BATCH_NORM_TRAIN,
  BATCH_NORM_TRAIN_GRAD,
  batchNormTrainConfig,
  batchNormTrainGradConfig,
} from './batch-norm-train';
export { conv2DConfig } from './conv2d';
export { conv2DBackpropFilterConfig } from './conv2d-backprop-filter';
export { conv2DBackpropInputConfig } from './conv2d-backprop-input';
export { depthwiseConv2dNativeBackpropFilterConfig } from './depthwise-conv2d-backprop-filter';
export { depthwiseConv2dNativeBackpropInputConfig } from './depthwise-conv2d-backprop-input';
export { depthwiseConv2dNativeConfig } from './depthwise-conv2d-native';
export {
  GROUP_AXIS_MERGE,
  GROUP_AXIS_SPLIT,
  groupAxisMergeConfig,
  groupAxisSplitConfig,
} from './group-axis';
export {
  guardWasmHeap,
  setWasmHeapLimit,
  WASM_HEAP_LIMIT_BYTES,
  WasmHeapExhaustedError,
  wasmHeapLimitBytes,
} from './heap-guard';
export { identityConfig } from './identity';
export { maxPoolGradConfig } from './max-pool-grad';
export {
  PER_CHANNEL_MIX,
  PER_CHANNEL_MIX_FILTER,
  perChannelMixConfig,
  perChannelMixFilterConfig,
} from './per-channel-mix';
export {
  registerWasmTrainingKernels,
  unregisterWasmTrainingKernels,
  WASM_TRAINING_KERNELS,
  wasmTrainingKernelsRegistered,
} from './register';
export {
  ROW_NORMALIZE,
  ROW_NORMALIZE_GRAD,
  rowNormalizeConfig,
  rowNormalizeGradConfig,
} from './row-normalize';
export { meanConfig, sumConfig } from './row-reductions';
export { cosConfig, sinConfig } from './sine';
export { sliceConfig, splitVConfig, unpackConfig } from './slice';
export { transposeConfig } from './transpose';
export { unsortedSegmentSumConfig } from './unsorted-segment-sum';
