/**
 * @file `@gcnn/cli`: the `gcnn` command line (train, evaluate, export, info, visualize) as a
 * library, for embedding and tests. The executable is `dist/cli.js`.
 */
export { BACKEND_NAMES, type BackendName, probeBackends, selectBackend } from './backend';
export { type CommandSpec, parseCommand } from './command-spec';
export {
  BACKEND_FLAG,
  CHECKPOINT_FLAGS,
  COMMON_FLAGS,
  GPU_ADAPTER_FLAG,
  HELP_FLAG,
} from './common-flags';
export type { ConfigFields, ConfigKey, ConfigKeyFor } from './config-keys';
export {
  type FlagSpec,
  type FlagTable,
  type FlagType,
  type FlagValue,
  type FlagValues,
  flag,
  type GivenFlags,
  type ValueOf,
  withDefault,
  withDefaults,
} from './flag-spec';
export { formatHelp } from './format-help';
export { type CliIo, processIo } from './io';
export {
  DATASET_IDS,
  type DatasetRequest,
  type LoadedDatasets,
  loadDatasets,
} from './load-datasets';
export { main, mainHelp } from './main';
export { MODEL_FLAGS, PRESET_NAMES } from './model-flags';
export { convertFlagValue, parseFlags } from './parse-flags';
export { encodePng } from './png';
export { formatDuration, ProgressBar, type ProgressStream } from './progress-bar';
export {
  type ModelFlags,
  type ResolvedRun,
  type RunDataset,
  readConfigFile,
  resolveModelConfig,
  resolveRun,
  type TrainFlags,
  withConfigFile,
} from './resolve-config';
export { RESUME_FLAGS, TRAIN_FLAGS } from './train-flags';
export {
  DEFAULT_JOB_TRAINING,
  MIN_EVAL_BATCH_SIZE,
  REFERENCE_TRAINING,
  trainingDefaults,
} from './training-defaults';
export { UsageError } from './usage-error';
