/**
 * `@gcnn/training/node`: the Node-only parts of training: file IO of runs (atomic writes,
 * checkpoint files with verified weights, the run directory with `config.json`,
 * `metrics.jsonl`, `checkpoints/`, `curves.svg`, `summary.svg`) and data-parallel training over
 * `worker_threads` (`createDataParallelTrainer`).
 */
export { atomicWriteFile, removeTempFiles } from './atomic-write-file';
export {
  CHECKPOINT_DIR,
  loadCheckpoint,
  readCheckpointManifest,
  resolveCheckpointPath,
  saveCheckpoint,
} from './checkpoint-files';
export {
  createDataParallelTrainer,
  type DataParallelOptions,
  type DataParallelStepTiming,
  DataParallelTrainer,
} from './data-parallel-trainer';
export { fileError, withFileError } from './file-error';
export type { ReplicaContext, ReplicaModule } from './replica-module';
export {
  type OpenRunOptions,
  openRunDirectory,
  RUN_FILES,
  RunDirectory,
  RunExistsError,
  type RunOpenMode,
} from './run-directory';
export {
  acquireRunLock,
  isProcessRunning,
  LOCK_FILE,
  type LockOwner,
  type RunLock,
  RunLockedError,
} from './run-lock';
export { siblingModuleUrl } from './sibling-module-url';
