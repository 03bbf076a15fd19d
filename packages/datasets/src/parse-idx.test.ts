import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { idxDataset } from './idx-dataset';
import { encodeIdx, testBytes } from './internal/format-writers';
import { parseIdx } from './parse-idx';

describe('parseIdx / idxDataset', () => {
  const pixels = testBytes(3 * 4 * 5);
  const images = encodeIdx([3, 4, 5], pixels);
  const labels = encodeIdx([3], [0, 9, 4]);

  it('reads shape and data, raw and gzipped', () => {
    for (const bytes of [images, gzipSync(images)]) {
      const idx = parseIdx(bytes, { file: 'x.idx', expectedRank: 3 });
      expect(idx.shape).toEqual([3, 4, 5]);
      expect(idx.data).toEqual(pixels);
    }
  });

  it('reads big-endian int32 and float32 data', () => {
    const b = new Uint8Array(4 + 4 + 8);
    const v = new DataView(b.buffer);
    v.setUint32(0, 0x0c01);
    v.setUint32(4, 2);
    v.setInt32(8, -5);
    v.setInt32(12, 70000);
    expect(Array.from(parseIdx(b).data)).toEqual([-5, 70000]);
    v.setUint32(0, 0x0d01);
    v.setFloat32(8, 1.5);
    v.setFloat32(12, -2.25);
    expect(Array.from(parseIdx(b).data)).toEqual([1.5, -2.25]);
  });

  it('builds a Dataset [n, h, w, 1]', () => {
    const d = idxDataset(parseIdx(images), parseIdx(labels), { name: 't', numClasses: 10 });
    expect([d.count, d.height, d.width, d.channels, d.numClasses]).toEqual([3, 4, 5, 1, 10]);
    expect(Array.from(d.labels)).toEqual([0, 9, 4]);
  });

  it('names the file, offset and expectation on a wrong magic number', () => {
    expect(() => parseIdx(labels, { file: 'x.idx', expectedRank: 3 })).toThrow(
      "Error in parseIdx: file 'x.idx' has magic number 0x00000801 at offset 0, expected 0x00000803 (images)",
    );
    const bad = images.slice();
    bad[2] = 0x07;
    expect(() => parseIdx(bad, { file: 'y.idx' })).toThrow(
      /file 'y.idx' has magic number 0x00000703 at offset 0/,
    );
  });

  it('rejects truncated files and trailing bytes', () => {
    expect(() => parseIdx(images.subarray(0, images.length - 1), { file: 'x.idx' })).toThrow(
      /file 'x.idx' has 75 bytes, expected 16 \(header\) \+ 3·4·5·1 = 76 .*\(truncated\)/,
    );
    expect(() => parseIdx(images.subarray(0, 10), { file: 'x.idx' })).toThrow(
      /truncated: 10 bytes, expected a 16-byte header/,
    );
    const longer = new Uint8Array(images.length + 2);
    longer.set(images);
    expect(() => parseIdx(longer, { file: 'x.idx' })).toThrow(/\(trailing bytes\)/);
  });

  it('rejects a corrupt gzip stream, naming the file', () => {
    const gz = gzipSync(images);
    expect(() => parseIdx(gz.subarray(0, gz.length >> 1), { file: 'x.idx.gz' })).toThrow(
      /file 'x.idx.gz' .* not a valid gzip stream/,
    );
  });

  it('rejects labels out of range and count mismatches, naming file and offset', () => {
    const badLabels = encodeIdx([3], [0, 10, 4]);
    expect(() =>
      idxDataset(parseIdx(images), parseIdx(badLabels), {
        name: 't',
        numClasses: 10,
        labelFile: 'l.idx',
      }),
    ).toThrow(
      "Error in idxDataset: file 'l.idx' has label 10 at offset 9 (item 1), expected a value in [0, 10)",
    );
    expect(() =>
      idxDataset(parseIdx(images), parseIdx(encodeIdx([2], [0, 1])), { name: 't', numClasses: 10 }),
    ).toThrow(/has 2 labels but file .* has 3 images/);
  });
});
