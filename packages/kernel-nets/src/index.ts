export { type KernelGridOptions, kernelGrid } from './kernel-grid';
export { diskMask, scaleDistanceMask, smoothDiskMask, smoothSquareMask } from './masks';
export { sampleKernelNet } from './sample-kernel-net';
export {
  disposeSiren,
  type InitSirenOptions,
  initSiren,
  type LinearWeights,
  type SirenConfig,
  type SirenOptions,
  type SirenWeights,
  siren,
  sirenParameterCount,
  sirenWeightList,
} from './siren';
