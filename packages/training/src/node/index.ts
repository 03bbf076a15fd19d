/**
 * `@gcnn/training/node`: file IO of training runs (Node only): atomic writes, checkpoint files
 * with verified weights, and the run directory (`config.json`, `metrics.jsonl`, `checkpoints/`,
 * `curves.svg`, `summary.svg`).
 */
export { atomicWriteFile } from './atomic-write-file';
export {
  CHECKPOINT_DIR,
  loadCheckpoint,
  readCheckpointManifest,
  resolveCheckpointPath,
  saveCheckpoint,
} from './checkpoint-files';
export { RUN_FILES, RunDirectory } from './run-directory';
