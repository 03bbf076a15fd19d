import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeAmat, testBytes } from '../internal/format-writers';
import { makeTempDir } from './internal/temp-dir';
import { loadMnistRotFiles, MNIST_ROT_FILES } from './load-mnist-rot-files';

const tmp = makeTempDir();
afterAll(tmp.cleanup);

describe('loadMnistRotFiles', () => {
  const trainImages = testBytes(3 * 784, 21);
  const testImages = testBytes(2 * 784, 22);
  const train = encodeAmat(trainImages, [1, 2, 3]);
  const test = encodeAmat(testImages, [4, 5]);
  const dir = join(tmp.dir, 'amat');
  mkdirSync(dir);
  writeFileSync(join(dir, MNIST_ROT_FILES.train), train);
  writeFileSync(join(dir, MNIST_ROT_FILES.test), test);
  const zip = join(tmp.dir, 'mnist_rotation_new.zip');
  writeFileSync(
    zip,
    zipSync({ [MNIST_ROT_FILES.train]: train, [`sub/${MNIST_ROT_FILES.test}`]: test }),
  );

  it('reads from the zip, a folder or one .amat file', () => {
    for (const path of [zip, dir]) {
      const tr = loadMnistRotFiles({ path, split: 'train' });
      const te = loadMnistRotFiles({ path, split: 'test' });
      expect(tr.images).toEqual(trainImages);
      expect(Array.from(te.labels)).toEqual([4, 5]);
      expect(te.name).toBe('mnist-rot-test');
    }
    expect(
      loadMnistRotFiles({ path: join(dir, MNIST_ROT_FILES.test), split: 'test' }).images,
    ).toEqual(testImages);
  });

  it('names the file on missing, corrupt and incomplete inputs', () => {
    expect(() => loadMnistRotFiles({ path: join(tmp.dir, 'missing.zip'), split: 'train' })).toThrow(
      /'.*missing.zip' does not exist/,
    );
    const broken = join(tmp.dir, 'broken.zip');
    writeFileSync(broken, new Uint8Array([0x50, 0x4b, 3, 4, 1, 2, 3]));
    expect(() => loadMnistRotFiles({ path: broken, split: 'train' })).toThrow(
      /file '.*broken.zip' starts with the zip magic/,
    );
    const partial = join(tmp.dir, 'partial.zip');
    writeFileSync(partial, zipSync({ [MNIST_ROT_FILES.train]: train }));
    expect(() => loadMnistRotFiles({ path: partial, split: 'test' })).toThrow(
      /zip '.*partial.zip' has no entry named mnist_all_rotation_normalized_float_test.amat/,
    );
    const truncated = join(tmp.dir, 'trunc.amat');
    writeFileSync(truncated, train.subarray(0, train.length - 300));
    expect(() => loadMnistRotFiles({ path: truncated, split: 'train' })).toThrow(
      /file '.*trunc.amat' line 3 has \d+ fields, expected 785/,
    );
  });
});
