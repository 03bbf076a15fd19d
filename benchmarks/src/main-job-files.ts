import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset, Normalization } from '@gcnn/datasets';
import type { ModelConfig } from '@gcnn/models';
import type { TrainConfig } from '@gcnn/training';

/** What the reference's main job trains: gcnn's resolved model and training settings, and data. */
export interface MainJobSpec {
  model: ModelConfig;
  train: TrainConfig;
  trainSet: Dataset;
  testSet: Dataset;
  /** Per-channel `(x / 255 − mean) / std`, as gcnn's batches. */
  normalization: Normalization;
}

/** The split files of {@link writeMainJobFiles}, as job.json names them. */
interface SplitFiles {
  count: number;
  images: string;
  labels: string;
}

function writeSplit(folder: string, name: string, ds: Dataset): SplitFiles {
  if (!(ds.images instanceof Uint8Array)) {
    throw new Error(
      `writeMainJobFiles: ${name} images of '${ds.name}' must be a Uint8Array (0–255), got ${ds.images.constructor.name}`,
    );
  }
  if (ds.numClasses > 256) {
    throw new Error(
      `writeMainJobFiles: '${ds.name}' has ${ds.numClasses} classes; labels are written as uint8 (≤ 256)`,
    );
  }
  const files = { count: ds.count, images: `${name}-images.u8`, labels: `${name}-labels.u8` };
  writeFileSync(join(folder, files.images), ds.images);
  writeFileSync(join(folder, files.labels), Uint8Array.from(ds.labels));
  return files;
}

/**
 * Writes the data and settings of the main job into `folder` for
 * benchmarks/reference/bench_reference.py `main-job --job <folder>/job.json`: per split raw uint8
 * images `[count, height, width, channels]` (`<split>-images.u8`) and uint8 labels `[count]`
 * (`<split>-labels.u8`), and job.json with the model config, the training config and the data's
 * shape, counts, file names and normalization. Returns the path of job.json.
 */
export function writeMainJobFiles(folder: string, spec: MainJobSpec): string {
  const { trainSet, testSet } = spec;
  for (const key of ['height', 'width', 'channels', 'numClasses'] as const) {
    if (trainSet[key] !== testSet[key]) {
      throw new Error(
        `writeMainJobFiles: train and test sets differ in ${key} (${trainSet[key]} vs ${testSet[key]})`,
      );
    }
  }
  const data = {
    height: trainSet.height,
    width: trainSet.width,
    channels: trainSet.channels,
    numClasses: trainSet.numClasses,
    normalization: spec.normalization,
    train: writeSplit(folder, 'train', trainSet),
    test: writeSplit(folder, 'test', testSet),
  };
  const path = join(folder, 'job.json');
  writeFileSync(
    path,
    `${JSON.stringify({ model: spec.model, train: spec.train, data }, null, 2)}\n`,
  );
  return path;
}
