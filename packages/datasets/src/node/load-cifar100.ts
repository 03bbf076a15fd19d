import { join } from 'node:path';
import type { Dataset } from '../dataset';
import { parseCifar } from '../parse-cifar';
import { readBytes } from './internal/read-bytes';

/**
 * CIFAR-100 from the official binary version (`cifar-100-binary.tar.gz`, extracted): `dir` is the
 * `cifar-100-binary` folder with `train.bin` (50,000) and `test.bin` (10,000).
 * @param options.label `'fine'` (100 classes, default, as the reference) or `'coarse'` (20)
 * @returns uint8 {@link Dataset} `[n, 32, 32, 3]`
 */
export function loadCifar100(options: {
  dir: string;
  split: 'train' | 'test';
  label?: 'fine' | 'coarse';
}): Dataset {
  const file = join(options.dir, `${options.split}.bin`);
  return parseCifar(readBytes(file, 'loadCifar100', 'a CIFAR-100 binary file'), {
    variant: 'cifar100',
    label: options.label ?? 'fine',
    file,
    name: `cifar100-${options.split}`,
  });
}
