import type { Dataset } from '../dataset';
import { idxDataset } from '../idx-dataset';
import { findFile } from './internal/find-file';
import { readIdx } from './read-idx';

/**
 * Loads the `train` or `test` split of an MNIST-format folder: `train-images-idx3-ubyte`,
 * `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each optionally
 * `.gz` (also accepts the `train-images.idx3-ubyte` spelling).
 * @returns a uint8 {@link Dataset} `[n, 28, 28, 1]`, 10 classes, named `<name>-<split>`
 */
export function loadIdxSplit(dir: string, split: 'train' | 'test', name: string): Dataset {
  const prefix = split === 'train' ? 'train' : 't10k';
  const caller = `load ${name}`;
  const imageFile = findFile(
    dir,
    [`${prefix}-images-idx3-ubyte`, `${prefix}-images.idx3-ubyte`],
    caller,
    `${split} images`,
  );
  const labelFile = findFile(
    dir,
    [`${prefix}-labels-idx1-ubyte`, `${prefix}-labels.idx1-ubyte`],
    caller,
    `${split} labels`,
  );
  return idxDataset(readIdx(imageFile, 3), readIdx(labelFile, 1), {
    name: `${name}-${split}`,
    numClasses: 10,
    imageFile,
    labelFile,
  });
}
