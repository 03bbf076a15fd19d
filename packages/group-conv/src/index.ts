export { type BufferBytesMeter, meterBufferBytes } from './autodiff/buffer-bytes-meter';
export {
  type GradientSegmentOptions,
  gradientSegment,
  type SegmentBody,
  type SegmentMemory,
  type SegmentResult,
} from './autodiff/gradient-segment';
export { backprop, recordTape, type TapeNode, withoutTape } from './autodiff/tape';
export { COMPATIBILITY_MODES, type Compatibility } from './compatibility';
export { type DgSeparableKernels, dgseparable } from './factorisations/dgseparable';
export { type DSeparableKernels, dseparable } from './factorisations/dseparable';
export type {
  ApplyGroupConvOptions,
  ConvChannels,
  GroupConvFactorisation,
  GroupConvParams,
} from './factorisations/factorisation';
export { type GSeparableKernels, gseparable } from './factorisations/gseparable';
export { type GSeparable2dKernels, gSeparable2d } from './factorisations/gseparable-2d';
export { type NonseparableKernels, nonseparable } from './factorisations/nonseparable';
export {
  applyGroupConvKernels,
  FACTORISATIONS,
  type GroupConvKernels,
  groupConvFactorisation,
  groupConvNetSpecs,
  IMPLEMENTATIONS,
  type Implementation,
  sampleGroupConvKernels,
} from './factorisations/registry';
export { type SeparableKernels, separable } from './factorisations/separable';
export { type Separable2dKernels, separable2d } from './factorisations/separable-2d';
export { fullGroupKernel } from './kernels/full-group-kernel';
export type { KernelNet } from './kernels/kernel-net';
export {
  type KernelNetRole,
  type KernelNetSpec,
  type KernelNetSpecs,
  liftingNetSpecs,
} from './kernels/kernel-net-specs';
export type { KernelOptions } from './kernels/kernel-options';
export { sampleLiftingFilter } from './kernels/sample-lifting-filter';
export { type SpatialKernelRole, spatialKernel } from './kernels/spatial-kernel';
export { subgroupKernel } from './kernels/subgroup-kernel';
export {
  BATCH_NORM_KERNELS,
  BatchNorm1D,
  type BatchNormApplyOptions,
  type BatchNormOptions,
  GroupBatchNorm,
  hasBatchNormKernels,
} from './layers/group-batch-norm';
export {
  GroupConv2D,
  type GroupConvApplyOptions,
  type GroupConvLayerOptions,
} from './layers/group-conv-2d';
export { KernelNetModule, type KernelNetOptions } from './layers/kernel-net-module';
export type { ApplyOptions, ConvLayerOptions, GroupFeatures } from './layers/layer-options';
export { LiftingConv2D } from './layers/lifting-conv-2d';
export { Module } from './layers/module';
export {
  assertGroupFeatures,
  assertImages,
  flattenGroup,
  type Padding,
  unflattenGroup,
} from './layout';
export {
  type ConvMemoryDims,
  type ConvTrainingMemory,
  convMaps,
  convOutputSize,
  type GroupConvDims,
  type KernelNetEvaluation,
  kernelNetBytes,
  type LayerMemory,
} from './memory/layer-memory';
export {
  applyChannelEpilogue,
  type ChannelEpilogue,
  depthwiseWithEpilogue,
} from './ops/channel-epilogue';
export {
  circulantBlocks,
  circulantMatMul,
  GROUP_AXIS_KERNELS,
  useCirculantMixing,
} from './ops/circulant-mixing';
export type { ConvOptions } from './ops/conv-options';
export {
  dgSeparableGroupConv2d,
  dSeparableGroupConv2d,
  projectChannels,
} from './ops/d-separable-group-conv2d';
export { withDenseMixings } from './ops/dense-mixings';
export { groupConv2d } from './ops/group-conv2d';
export {
  groupInstanceNorm,
  groupLayerNorm,
  hasRowNormalizeKernels,
  ROW_NORMALIZE_KERNELS,
} from './ops/group-norms';
export {
  globalInvariantPool,
  groupPool,
  groupSpatialPool2d,
  type SpatialPoolOptions,
} from './ops/group-pooling';
export { addChannelBias, reluKeepingOutput } from './ops/lean-activations';
export { liftingConv2d } from './ops/lifting-conv2d';
export { separableGroupConv2d } from './ops/separable-group-conv2d';
export {
  gSeparable2dGroupConv2d,
  separable2dGroupConv2d,
  type TwoSubgroupOptions,
} from './ops/separable2d-group-conv2d';
export {
  convertReferenceConvWeights,
  type ReferenceParameter,
  referenceConvParameterName,
} from './reference-weights';
