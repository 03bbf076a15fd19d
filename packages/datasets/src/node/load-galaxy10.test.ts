import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBytes } from '../internal/format-writers';
import { makeTempDir } from './internal/temp-dir';
import { loadGalaxy10 } from './load-galaxy10';

const tmp = makeTempDir();
afterAll(tmp.cleanup);

const N = 10;
const images = testBytes(N * 5 * 5 * 3, 51);
const labels = Uint8Array.from({ length: N }, (_, i) => i % 10);

function writeH5(
  path: string,
  datasets: Record<string, { data: Uint8Array | Float32Array; shape: number[]; dtype: string }>,
) {
  const f = new h5wasm.File(path, 'w');
  for (const [name, d] of Object.entries(datasets))
    f.create_dataset({ name, data: d.data, shape: d.shape, dtype: d.dtype });
  f.close();
}

beforeAll(async () => {
  await h5wasm.ready;
});

describe('loadGalaxy10 (h5wasm)', () => {
  it('reads images and ans and splits the first 80 % / last 20 % in file order', async () => {
    const file = join(tmp.dir, 'Galaxy10.h5');
    writeH5(file, {
      images: { data: images, shape: [N, 5, 5, 3], dtype: '<B' },
      ans: { data: labels, shape: [N], dtype: '<B' },
    });
    const { all, train, test } = await loadGalaxy10({ file });
    expect([all.count, all.height, all.width, all.channels]).toEqual([N, 5, 5, 3]);
    expect(all.images).toEqual(images);
    expect([train.count, test.count]).toEqual([8, 2]);
    expect(Array.from(test.labels)).toEqual([8, 9]);
  });

  it('rejects non-HDF5 files, missing keys, non-uint8 images, a label count that differs and out-of-range labels, naming the file', async () => {
    const notH5 = join(tmp.dir, 'not.h5');
    writeFileSync(notH5, 'not an hdf5 file');
    await expect(loadGalaxy10({ file: notH5 })).rejects.toThrow(
      /file '.*not.h5' has no HDF5 signature/,
    );
    const noAns = join(tmp.dir, 'noans.h5');
    writeH5(noAns, { images: { data: images, shape: [N, 5, 5, 3], dtype: '<B' } });
    await expect(loadGalaxy10({ file: noAns })).rejects.toThrow(
      /has datasets \[images\], expected 'images' and 'ans'/,
    );
    const badAns = join(tmp.dir, 'badans.h5');
    writeH5(badAns, {
      images: { data: images, shape: [N, 5, 5, 3], dtype: '<B' },
      ans: { data: Uint8Array.from(labels, (l) => (l === 3 ? 12 : l)), shape: [N], dtype: '<B' },
    });
    await expect(loadGalaxy10({ file: badAns })).rejects.toThrow(
      /dataset 'ans' has 12 at index 3, expected an integer in \[0, 10\)/,
    );
    const floatImages = join(tmp.dir, 'floatimages.h5');
    writeH5(floatImages, {
      images: { data: Float32Array.from(images), shape: [N, 5, 5, 3], dtype: '<f' },
      ans: { data: labels, shape: [N], dtype: '<B' },
    });
    await expect(loadGalaxy10({ file: floatImages })).rejects.toThrow(
      /dataset 'images' is <f \[10, 5, 5, 3\], expected uint8 \[n, height, width, 3\]/,
    );
    const shortAns = join(tmp.dir, 'shortans.h5');
    writeH5(shortAns, {
      images: { data: images, shape: [N, 5, 5, 3], dtype: '<B' },
      ans: { data: labels.subarray(0, N - 1), shape: [N - 1], dtype: '<B' },
    });
    await expect(loadGalaxy10({ file: shortAns })).rejects.toThrow(
      /dataset 'ans' has shape \[9\], expected \[10\] \(one label per image\)/,
    );
    await expect(loadGalaxy10({ file: join(tmp.dir, 'missing.h5') })).rejects.toThrow(
      /does not exist/,
    );
  });
});
