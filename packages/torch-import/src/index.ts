/**
 * @file `@gcnn/torch-import`: checkpoints of the PyTorch reference (`.pt`, as `torch.save` writes
 * them) read safely — a zip reader and a pickle interpreter that never executes anything — and
 * turned into gcnn models. Browser-safe: bytes in, no file system.
 */
export { type CheckpointLocation, TorchCheckpointError } from './errors';
export { DEFAULT_TORCH_READ_LIMITS, type TorchReadLimits } from './limits';
export {
  type LoadedTorchCheckpoint,
  type LoadTorchCheckpointOptions,
  loadTorchCheckpoint,
  type TorchCheckpointKind,
  torchCheckpointKind,
} from './model/load-torch-checkpoint';
export { modelConfigFromReference } from './model/model-config-from-reference';
export {
  type ReferenceHyperparameters,
  referenceHyperparameters,
} from './model/reference-hyperparameters';
export { moduleStateDict, TorchModule } from './model/torch-module';
export { PyClass, PyDict, PyObject, type PyValue } from './pickle/py-value';
export {
  type ReadTorchCheckpointOptions,
  readTorchCheckpoint,
  type TorchCheckpoint,
} from './torch/read-torch-checkpoint';
export { type TorchDtype, TorchTensor, type TorchTensorValues } from './torch/torch-tensor';
