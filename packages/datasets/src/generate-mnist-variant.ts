import { Xoshiro128 } from '@gcnn/lie-groups';
import { createDataset, type Dataset } from './dataset';
import type { MnistVariantProtocol } from './mnist-variant-protocol';
import { rotationScaleMap } from './rotation-scale-map';
import { warpImage } from './warp-image';

/** Options of {@link generateMnistVariant}. */
export interface GenerateMnistVariantOptions {
  /** Default: the protocol's seed. */
  seed?: number;
  /** Generate only the first `limit` images of each split (same images as the full set's prefix). */
  limit?: number;
  /** Called every 1,000 images and at the end with `(done, total)`. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Generates an MNIST variant deterministically from real MNIST.
 *
 * 1. Pool the 70,000 images: MNIST train (60,000) then test (10,000), in file order.
 * 2. `rng = new Xoshiro128(seed)`; `perm = rng.permutation(70000)`; split `k` takes the next `size_k` entries
 *    of `perm`.
 * 3. For each split, one seed `rng.nextUint32()` (in split order) starts a per-split `Xoshiro128`; image `j`
 *    draws `angle = lo + (hi − lo)·nextFloat()` then `scale` likewise.
 * 4. The image is resampled once, bilinear, about the center `(13.5, 13.5)`, zero padded, with the
 *    inverse map of "rotate counter-clockwise by angle, then scale", and rounded half up to uint8.
 *
 * Plain JS with engine-independent sin/cos, so the output is bit-identical on every machine.
 *
 * @param mnist `train` `[60000, 28, 28, 1]` and `test` `[10000, 28, 28, 1]` uint8
 * @returns one uint8 {@link Dataset} `[size, 28, 28, 1]` per protocol split, keyed by split name
 */
export function generateMnistVariant(
  mnist: { train: Dataset; test: Dataset },
  protocol: MnistVariantProtocol,
  options: GenerateMnistVariantOptions = {},
): Record<string, Dataset> {
  const { train, test } = mnist;
  for (const d of [train, test]) {
    if (
      !(d.images instanceof Uint8Array) ||
      d.height !== train.height ||
      d.width !== train.width ||
      d.channels !== 1
    ) {
      throw new Error(
        `Error in generateMnistVariant: dataset '${d.name}' must be uint8 single-channel images of one size, got ${d.images.constructor.name} [${d.height}, ${d.width}, ${d.channels}]`,
      );
    }
  }
  const pool = train.count + test.count;
  const needed = protocol.splits.reduce((a, [, size]) => a + size, 0);
  if (needed > pool) {
    throw new Error(
      `Error in generateMnistVariant: protocol '${protocol.name}' needs ${needed} images, the MNIST pool has ${pool}`,
    );
  }
  const { height, width } = train;
  const per = height * width;
  const seed = options.seed ?? protocol.seed;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const rng = new Xoshiro128(seed);
  const perm = rng.permutation(pool);
  const splitSeeds = protocol.splits.map(() => rng.nextUint32());
  const sizes = protocol.splits.map(([, size]) => Math.min(size, limit));
  const total = sizes.reduce((a, b) => a + b, 0);
  const [a0, a1] = protocol.angle;
  const [s0, s1] = protocol.scale;
  const out: Record<string, Dataset> = {};
  let done = 0;
  let offset = 0;
  protocol.splits.forEach(([name, size], k) => {
    const n = sizes[k] as number;
    const images = new Uint8Array(n * per);
    const labels = new Uint8Array(n);
    const splitRng = new Xoshiro128(splitSeeds[k] as number);
    for (let j = 0; j < n; j++) {
      const p = perm[offset + j] as number;
      const [src, i] = p < train.count ? [train, p] : [test, p - train.count];
      const angle = a0 + (a1 - a0) * splitRng.nextFloat();
      const scale = s0 + (s1 - s0) * splitRng.nextFloat();
      warpImage(
        src.images.subarray(i * per, (i + 1) * per),
        height,
        width,
        1,
        rotationScaleMap(angle, scale),
        images.subarray(j * per, (j + 1) * per),
      );
      labels[j] = src.labels[i] as number;
      done++;
      if (options.onProgress && done % 1000 === 0) options.onProgress(done, total);
    }
    offset += size;
    out[name] = createDataset({
      name: `${protocol.name}-${name}`,
      images,
      labels,
      height,
      width,
      channels: 1,
      numClasses: train.numClasses,
    });
  });
  if (options.onProgress && done % 1000 !== 0) options.onProgress(done, total);
  return out;
}
