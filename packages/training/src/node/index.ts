/**
 * `@gcnn/training/node`: the Node-only parts of training: file IO of runs (atomic writes,
 * checkpoint files with verified weights, the run directory with `config.json`,
 * `metrics.jsonl`, `checkpoints/`, `curves.svg`, `summary.svg`) and data-parallel training over
 * `worker_threads` (`createDataParallelTrainer`).
 */
export { atomicWriteFile } from './atomic-write-file';
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
export type { ReplicaContext, ReplicaModule } from './replica-module';
export { RUN_FILES, RunDirectory } from './run-directory';
export { siblingModuleUrl } from './sibling-module-url';
