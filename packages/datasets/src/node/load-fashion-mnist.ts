import { existsSync } from 'node:fs';
import type { Dataset } from '../dataset';
import { loadIdxSplit } from './load-idx-split';

/** Where Debian/Ubuntu's `dataset-fashion-mnist` package installs the IDX files (gzipped). */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/**
 * Fashion-MNIST (Xiao et al. 2017), 60,000 train / 10,000 test, from `dir` holding the four IDX
 * files (optionally `.gz`, names as MNIST); default: {@link DEBIAN_FASHION_MNIST_DIR} when present.
 * @returns uint8 {@link Dataset} `[n, 28, 28, 1]`, 10 classes
 */
export function loadFashionMnist(options: { split: 'train' | 'test'; dir?: string }): Dataset {
  const dir = options.dir ?? DEBIAN_FASHION_MNIST_DIR;
  if (!options.dir && !existsSync(dir)) {
    throw new Error(
      `Error in loadFashionMnist: no dir given and '${DEBIAN_FASHION_MNIST_DIR}' does not exist; pass { dir } with the four Fashion-MNIST IDX files or install Debian's dataset-fashion-mnist`,
    );
  }
  return loadIdxSplit(dir, options.split, 'fashion-mnist');
}
