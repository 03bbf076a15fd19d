import { describe, expect, it } from 'vitest';
import { encodeStl10Images, testBytes } from './internal/format-writers';
import { parseStl10 } from './parse-stl10';

describe('parseStl10', () => {
  const images = testBytes(2 * 96 * 96 * 3, 4);
  const bin = encodeStl10Images(images);

  it('converts column-major channel planes to HWC and labels 1–10 to 0–9', () => {
    const d = parseStl10(bin, new Uint8Array([1, 10]));
    expect([d.count, d.height, d.width, d.channels]).toEqual([2, 96, 96, 3]);
    expect(d.images).toEqual(images);
    expect(Array.from(d.labels)).toEqual([0, 9]);
    // pixel (row 0, column 1), red: the second byte of the column-major plane is (row 1, column 0)
    expect(d.images[3]).toBe(bin[96]);
  });

  it('rejects truncated images, label count mismatches and labels outside 1–10', () => {
    expect(() =>
      parseStl10(bin.subarray(1), new Uint8Array([1, 2]), { imageFile: 'x.bin' }),
    ).toThrow(/file 'x.bin' has 55295 bytes, expected a positive multiple of 96·96·3/);
    expect(() => parseStl10(bin, new Uint8Array([1]), { labelFile: 'y.bin' })).toThrow(
      /file 'y.bin' has 1 bytes \(labels\), expected 2/,
    );
    expect(() => parseStl10(bin, new Uint8Array([1, 0]), { labelFile: 'y.bin' })).toThrow(
      "Error in parseStl10: file 'y.bin' has label 0 at offset 1, expected a value in [1, 10]",
    );
  });
});
