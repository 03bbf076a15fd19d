/**
 * @file `@gcnn/cli`: the `gcnn` command line (train, evaluate, info, visualize) as a library, for
 * embedding and tests. The executable is `dist/cli.js`.
 */
export { BACKEND_NAMES, type BackendName, probeBackends, selectBackend } from './backend';
export {
  convertFlagValue,
  type FlagSpec,
  type FlagType,
  type FlagValues,
  formatHelp,
  parseFlags,
  UsageError,
} from './flags';
export { type CliIo, processIo } from './io';
export {
  DATASET_IDS,
  type DatasetRequest,
  type LoadedDatasets,
  loadDatasets,
} from './load-datasets';
export { main, mainHelp } from './main';
export { encodePng } from './png';
export { formatDuration, ProgressBar, type ProgressStream } from './progress-bar';
export {
  DEFAULT_JOB_TRAINING,
  REFERENCE_TRAINING,
  type ResolvedRun,
  readConfigFile,
  resolveModelConfig,
  resolveRun,
} from './resolve-config';
export { BACKEND_FLAG, MODEL_FLAGS, TRAIN_FLAGS } from './train-flags';
