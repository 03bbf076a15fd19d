import { join } from 'node:path';
import { concatDatasets } from '../concat-datasets';
import type { Dataset } from '../dataset';
import { parseCifar } from '../parse-cifar';
import { readBytes } from './internal/read-bytes';

/**
 * CIFAR-10 from the official binary version (`cifar-10-binary.tar.gz`, extracted): `dir` is the
 * `cifar-10-batches-bin` folder; `train` is `data_batch_1.bin` … `data_batch_5.bin` (50,000),
 * `test` is `test_batch.bin` (10,000).
 * @returns uint8 {@link Dataset} `[n, 32, 32, 3]`, 10 classes
 */
export function loadCifar10(options: { dir: string; split: 'train' | 'test' }): Dataset {
  const files =
    options.split === 'train'
      ? [1, 2, 3, 4, 5].map((k) => `data_batch_${k}.bin`)
      : ['test_batch.bin'];
  const parts = files.map((f) => {
    const file = join(options.dir, f);
    return parseCifar(readBytes(file, 'loadCifar10', 'a CIFAR-10 binary batch'), {
      variant: 'cifar10',
      file,
    });
  });
  return concatDatasets(parts, `cifar10-${options.split}`);
}
