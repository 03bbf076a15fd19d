/**
 * @file `@gcnn/backends`: selects and initialises a TensorFlow.js backend for gcnn apps (the CLI,
 * examples, tests). Library packages never import a backend; apps call {@link selectBackend}.
 */
export { BackendError } from './errors';
export {
  type BackendPackages,
  OPTIONAL_PACKAGES,
  type OptionalPackage,
} from './optional-packages';
export {
  BACKEND_NAMES,
  type BackendName,
  formatAdapter,
  NODE_WEBGPU_SYNC_READ,
  probeBackends,
  type SelectBackendOptions,
  type SelectedBackend,
  selectBackend,
} from './select-backend';
export { registerWebGpuKernelFixes } from './webgpu-kernel-fixes';
export {
  type DawnAdapter,
  type GpuAdapterInfo,
  listDawnAdapters,
  loadDawn,
  pickDawnAdapter,
  releaseNodeWebGpu,
  vulkanHelp,
} from './webgpu-node';
