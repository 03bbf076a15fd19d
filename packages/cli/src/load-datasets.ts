import {
  type Augmentation,
  DATASET_INFO,
  type Dataset,
  type DatasetId,
  referenceAugmentations,
  subsetDataset,
} from '@gcnn/datasets';
import {
  loadCifar10,
  loadCifar100,
  loadFashionMnist,
  loadGalaxy10,
  loadMnist,
  loadMnistRot,
  loadMnistRotFiles,
  loadMnistRotScale,
  loadMnistScale,
  loadStl10,
} from '@gcnn/datasets/node';
import { UsageError } from './usage-error';

/** `--dataset` values. */
export const DATASET_IDS = Object.keys(DATASET_INFO) as DatasetId[];

const isDatasetId = (id: string): id is DatasetId => Object.hasOwn(DATASET_INFO, id);

/** The dataset a training config records (`mnist-rot` when it records none); throws for an unknown one. */
export function datasetIdOf(train: { dataset?: { id: string } }): DatasetId {
  const id = train.dataset?.id ?? 'mnist-rot';
  if (!isDatasetId(id)) {
    throw new UsageError(`gcnn: the run's dataset '${id}' is not one of ${DATASET_IDS.join(', ')}`);
  }
  return id;
}

/** What {@link loadDatasets} needs. */
export interface DatasetRequest {
  id: DatasetId;
  dataDir?: string;
  limitTrain?: number;
  limitTest?: number;
  augment?: boolean;
  /** Generation progress of MNIST-rot & co (first run only; later runs read the cache). */
  onProgress?: (done: number, total: number) => void;
}

/** Train and test splits, their normalization and augmentations. */
export interface LoadedDatasets {
  train: Dataset;
  test: Dataset;
  trainAugmentations: Augmentation[];
  testAugmentations: Augmentation[];
}

const first = (ds: Dataset, n: number | undefined): Dataset =>
  n === undefined || n >= ds.count
    ? ds
    : subsetDataset(
        ds,
        Int32Array.from({ length: n }, (_, i) => i),
        ds.name,
      );

function needDir(id: DatasetId, dataDir: string | undefined, what: string): string {
  if (!dataDir) {
    throw new UsageError(
      `gcnn: --dataset ${id} needs --data-dir <${what}> (its files are not embedded; see the @gcnn/datasets README for where to get them)`,
    );
  }
  return dataDir;
}

/**
 * Loads the train and test split of a dataset as the reference uses them (MNIST-rot: the 12,000
 * train+valid images / the 50,000 test images; Galaxy10: the 80/20 file-order split), optionally
 * only their first images. MNIST and the generated MNIST variants need no files.
 */
export async function loadDatasets(req: DatasetRequest): Promise<LoadedDatasets> {
  const { id, dataDir } = req;
  // Generated variants: generate (or read from the cache) only as many images as needed.
  const limit =
    req.limitTrain !== undefined && req.limitTest !== undefined
      ? Math.max(req.limitTrain, req.limitTest)
      : undefined;
  let train: Dataset;
  let test: Dataset;
  switch (id) {
    case 'mnist':
      train = loadMnist({ split: 'train', dir: dataDir });
      test = loadMnist({ split: 'test', dir: dataDir });
      break;
    case 'fashion-mnist':
      train = loadFashionMnist({ split: 'train', dir: dataDir });
      test = loadFashionMnist({ split: 'test', dir: dataDir });
      break;
    case 'mnist-rot':
      if (dataDir) {
        train = loadMnistRotFiles({ path: dataDir, split: 'train' });
        test = loadMnistRotFiles({ path: dataDir, split: 'test' });
      } else {
        ({ train, test } = loadMnistRot({ limit, onProgress: req.onProgress }));
      }
      break;
    case 'mnist-scale': {
      const d = loadMnistScale({ limit, onProgress: req.onProgress });
      train = d.train as Dataset;
      test = d.test as Dataset;
      break;
    }
    case 'mnist-rot-scale': {
      const d = loadMnistRotScale({ limit, onProgress: req.onProgress });
      train = d.train as Dataset;
      test = d.test as Dataset;
      break;
    }
    case 'cifar10':
    case 'cifar10-rot': {
      const dir = needDir(id, dataDir, 'cifar-10-batches-bin folder');
      train = loadCifar10({ dir, split: 'train' });
      test = loadCifar10({ dir, split: 'test' });
      break;
    }
    case 'cifar100': {
      const dir = needDir(id, dataDir, 'cifar-100-binary folder');
      train = loadCifar100({ dir, split: 'train' });
      test = loadCifar100({ dir, split: 'test' });
      break;
    }
    case 'stl10': {
      const dir = needDir(id, dataDir, 'stl10_binary folder');
      train = loadStl10({ dir, split: 'train' });
      test = loadStl10({ dir, split: 'test' });
      break;
    }
    case 'galaxy10': {
      const file = needDir(id, dataDir, 'Galaxy10.h5 file');
      ({ train, test } = await loadGalaxy10({ file }));
      break;
    }
    default:
      throw new UsageError(
        `gcnn: --dataset must be one of ${DATASET_IDS.join(', ')}, got '${String(id)}'`,
      );
  }
  return {
    train: first(train, req.limitTrain),
    test: first(test, req.limitTest),
    trainAugmentations: referenceAugmentations(id, 'train', req.augment ?? false),
    testAugmentations: referenceAugmentations(id, 'test', req.augment ?? false),
  };
}
