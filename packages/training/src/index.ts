/**
 * `@gcnn/training`: the training loop of the gcnn experiments on TensorFlow.js (tfjs-core only;
 * Node file IO lives in `@gcnn/training/node`). Optimizers with PyTorch's update formulas and
 * explicit state, learning-rate schedules, cross-entropy, `train` / `evaluate`, checkpoints with
 * verified weights, metrics records and SVG charts.
 */
export { Adadelta, type AdadeltaOptions } from './adadelta';
export { Adam, type AdamOptions } from './adam';
export {
  CHECKPOINT_KINDS,
  type CheckpointKind,
  type CheckpointManifest,
  type CheckpointSource,
  decodeCheckpoint,
  disposeCheckpoint,
  type EncodedCheckpoint,
  encodeCheckpoint,
  type LoadedCheckpoint,
  loadModelWeights,
  MODEL_PREFIX,
  OPTIMIZER_PREFIX,
  type TensorEntry,
  type TrainProgress,
  type WeightsIndex,
} from './checkpoint';
export {
  createOptimizer,
  OPTIMIZER_NAMES,
  type OptimizerConfig,
  optimizerSlotCount,
} from './create-optimizer';
export {
  batchGradients,
  type DataParallel,
  type StepGradients,
  type StepOptions,
  shardSizes,
} from './data-parallel';
export { type EvaluateOptions, type EvaluateResult, evaluate } from './evaluate';
export { correctCount, crossEntropy } from './losses';
export { LR_SCHEDULE_KINDS, type LrSchedule, learningRateAt } from './lr-schedule';
export {
  type EpochRecord,
  type MetricsRecord,
  type RecordTime,
  recordPrecedes,
  type StepRecord,
} from './metrics';
export {
  allFinite,
  DivergenceError,
  NON_FINITE_STATE,
  NONFINITE_POLICIES,
  type NonFinitePolicy,
  type RunPoint,
} from './nonfinite-guard';
export { Optimizer, type OptimizerName, type OptimizerStateJson } from './optimizer';
export {
  describeModel,
  isOutOfMemory,
  type OutOfMemoryContext,
  OutOfMemoryError,
} from './out-of-memory';
export { restoreCheckpoint } from './restore-checkpoint';
export { SGD, type SGDOptions } from './sgd';
export {
  type PlanStepOptions,
  planStep,
  StepMemoryError,
  type StepPlan,
} from './step-plan';
export {
  type ChartSeries,
  type LineChartOptions,
  lineChartSvg,
  summarySvg,
  trainingCurvesSvg,
} from './svg-charts';
export {
  modelRngSeed,
  type StepEvent,
  type TrainOptions,
  type TrainResult,
  type TrainSink,
  train,
} from './train';
export { MAX_SEED, MEMORY_MODES, type TrainConfig, validateTrainConfig } from './train-config';
export type { BatchShard, TrainableModel } from './trainable-model';
export { CHECKPOINT_VERSION, manifestDigest, validateManifest } from './validate-manifest';
