import { join } from 'node:path';
import type { Dataset } from '../dataset';
import { parseStl10 } from '../parse-stl10';
import { readBytes } from './internal/read-bytes';

/**
 * STL-10 from the official binaries (`stl10_binary.tar.gz`, extracted): `dir` is the `stl10_binary`
 * folder with `train_X.bin`/`train_y.bin` (5,000) and `test_X.bin`/`test_y.bin` (8,000). The
 * 100,000 unlabeled images are not loaded.
 * @returns uint8 {@link Dataset} `[n, 96, 96, 3]`, 10 classes (labels shifted from 1–10 to 0–9)
 */
export function loadStl10(options: { dir: string; split: 'train' | 'test' }): Dataset {
  const imageFile = join(options.dir, `${options.split}_X.bin`);
  const labelFile = join(options.dir, `${options.split}_y.bin`);
  return parseStl10(
    readBytes(imageFile, 'loadStl10', 'STL-10 images'),
    readBytes(labelFile, 'loadStl10', 'STL-10 labels'),
    {
      imageFile,
      labelFile,
      name: `stl10-${options.split}`,
    },
  );
}
