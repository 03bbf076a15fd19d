import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Dataset } from '../dataset';
import { parseAmat } from '../parse-amat';
import { readBytes } from './internal/read-bytes';

/** File names of the official MNIST-rot splits inside `mnist_rotation_new.zip`. */
export const MNIST_ROT_FILES = {
  train: 'mnist_all_rotation_normalized_float_train_valid.amat',
  test: 'mnist_all_rotation_normalized_float_test.amat',
} as const;

/**
 * MNIST-rot from the official Larochelle et al. (2007) files. `path` is the zip
 * (`mnist_rotation_new.zip`), a folder holding the `.amat` files, or one `.amat` file. `train` is the
 * 12,000 `train_valid` images (the last 2,000 are the validation set), `test` the 50,000.
 * @returns uint8 {@link Dataset} `[n, 28, 28, 1]` (pixels `round(v·255)`, see {@link parseAmat})
 */
export function loadMnistRotFiles(options: {
  path: string;
  split: 'train' | 'test';
  format?: 'uint8' | 'float32';
}): Dataset {
  const { path, split } = options;
  const want = MNIST_ROT_FILES[split];
  const name = `mnist-rot-${split}`;
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new Error(
      `Error in loadMnistRotFiles: '${path}' does not exist, expected mnist_rotation_new.zip, a folder with ${want} or the .amat file`,
    );
  }
  if (isDir) {
    const file = join(path, want);
    return parseAmat(readBytes(file, 'loadMnistRotFiles', `the MNIST-rot ${split} file`), {
      file,
      name,
      format: options.format,
    });
  }
  const bytes = readBytes(path, 'loadMnistRotFiles', 'a zip or .amat file');
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b;
  if (!isZip) return parseAmat(bytes, { file: path, name, format: options.format });
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, { filter: (f) => basename(f.name) === want });
  } catch (e) {
    throw new Error(
      `Error in loadMnistRotFiles: file '${path}' starts with the zip magic 'PK' at offset 0 but is not a readable zip (${(e as Error).message})`,
    );
  }
  const entry = Object.keys(entries)[0];
  if (entry === undefined) {
    throw new Error(`Error in loadMnistRotFiles: zip '${path}' has no entry named ${want}`);
  }
  return parseAmat(entries[entry] as Uint8Array, {
    file: `${path}:${entry}`,
    name,
    format: options.format,
  });
}
