/** Identifiers of the datasets of the reference experiments (plus Fashion-MNIST). */
export type DatasetId =
  | 'mnist'
  | 'mnist-rot'
  | 'mnist-scale'
  | 'mnist-rot-scale'
  | 'fashion-mnist'
  | 'cifar10'
  | 'cifar10-rot'
  | 'cifar100'
  | 'galaxy10'
  | 'stl10';

/** Per-channel normalization `(x − mean[c]) / std[c]` applied to pixels scaled to `[0, 1]`. */
export interface Normalization {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** Static facts of a dataset: image shape, classes and the reference's normalization constants. */
export interface DatasetInfo {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly numClasses: number;
  readonly normalization: Normalization;
}

const mnistLike = (mean: number, std: number): DatasetInfo => ({
  height: 28,
  width: 28,
  channels: 1,
  numClasses: 10,
  normalization: { mean: [mean], std: [std] },
});

/**
 * Image shape, class count and normalization of every dataset, as in the reference
 * (`datasets/dataset.py`, reference §6). Fashion-MNIST is not in the reference; its constants are
 * the usual training-set statistics (0.2860, 0.3530).
 */
export const DATASET_INFO: Readonly<Record<DatasetId, DatasetInfo>> = {
  mnist: mnistLike(0.1307, 0.3081),
  'mnist-rot': mnistLike(0.13, 0.297),
  'mnist-scale': mnistLike(0.0607, 0.2161),
  'mnist-rot-scale': mnistLike(0.0634, 0.2102),
  'fashion-mnist': mnistLike(0.286, 0.353),
  cifar10: {
    height: 32,
    width: 32,
    channels: 3,
    numClasses: 10,
    normalization: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
  },
  'cifar10-rot': {
    height: 32,
    width: 32,
    channels: 3,
    numClasses: 10,
    normalization: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
  },
  cifar100: {
    height: 32,
    width: 32,
    channels: 3,
    numClasses: 100,
    normalization: { mean: [0.5071, 0.4865, 0.4409], std: [0.2673, 0.2564, 0.2762] },
  },
  galaxy10: {
    height: 69,
    width: 69,
    channels: 3,
    numClasses: 10,
    normalization: { mean: [0.1086, 0.0934, 0.0711], std: [0.1471, 0.1229, 0.103] },
  },
  stl10: {
    height: 96,
    width: 96,
    channels: 3,
    numClasses: 10,
    normalization: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  },
};
