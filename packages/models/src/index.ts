/**
 * @file `@gcnn/models`: the reference's group-equivariant classifiers (CK-G-ResNet, CK-G-CNN,
 * CK-G-All-CNN-C) built from `@gcnn/group-conv` layers, their configs and presets, and loading of
 * reference (PyTorch) checkpoints.
 */

export { ALLCNNC_WIDTHS, ckgAllCnnC } from './ckg-allcnnc';
export { ckgCnn, ckgCnnLastKernelSize } from './ckg-cnn';
export { ckgResNet, lastKernelSize } from './ckg-resnet';
export type {
  BatchShard,
  Classifier,
  ClassifierApplyOptions,
  TrainingMemory,
} from './classifier';
export { ClassifierHead, HEAD_DROPOUT, HEAD_HIDDEN_SIZE } from './classifier-head';
export { createModel } from './create-model';
export {
  estimateStepBytes,
  type StepBytesEstimate,
  type StepBytesOptions,
} from './estimate-step-bytes';
export {
  type FreezeOptions,
  freezeModel,
  GRAPH_INPUT,
  GRAPH_OUTPUT,
} from './freeze/freeze-model';
export {
  type ClassifierTrace,
  GroupClassifier,
  type GroupClassifierParts,
} from './group-classifier';
export {
  GroupConvBlock,
  type GroupConvBlockApplyOptions,
  type GroupConvBlockOptions,
} from './group-conv-block';
export { type LayerFactory, layerFactory, widen } from './internal/layer-factory';
export type { Stage, StageContext } from './internal/stage';
export {
  GCNN_MODEL_FORMAT,
  GCNN_MODEL_VERSION,
  type GcnnModelTopology,
  type LoadedModel,
  type ModelNormalization,
  modelArtifacts,
  modelFromArtifacts,
  type SaveModelOptions,
} from './io/model-artifacts';
export { type LoadModelOptions, loadModel, saveModel } from './io/model-io';
export {
  MODEL_NAMES,
  type ModelConfig,
  type ModelKernelNetConfig,
  type ModelName,
  NORMALIZATIONS,
  type Normalization,
} from './model-config';
export { modelConfigFromJson } from './model-config-from-json';
export {
  encodeModelFile,
  type LegacyModelFileJson,
  type LoadedModelFile,
  loadModelFromBuffers,
  type ModelFileEntry,
  type ModelFileJson,
  type ModelFileNormalization,
  upgradeModelJson,
  validateModelFileJson,
} from './model-file';
export { MODEL_LIMITS } from './model-limits';
export { MODEL_PRESETS, type ModelPresetName } from './model-presets';
export {
  type QuarterTurnMisalignment,
  quarterTurnMisalignments,
} from './quarter-turn-alignment';
export {
  convertReferenceModelWeights,
  loadReferenceWeights,
  referenceModelParameterName,
} from './reference-model-weights';
export { validateModelConfig } from './validate-model-config';
