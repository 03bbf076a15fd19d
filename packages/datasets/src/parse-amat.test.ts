import { describe, expect, it } from 'vitest';
import { encodeAmat, testBytes } from './internal/format-writers';
import { parseAmat } from './parse-amat';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

describe('parseAmat', () => {
  const images = testBytes(3 * 784, 2);
  images[0] = 255; // v = 1.0: the reference's round(v·256) wraps this to 0
  const labels = [7, 0, 9];
  const amat = encodeAmat(images, labels);

  it('reads images (round(v·255), 1.0 → 255) and labels', () => {
    const d = parseAmat(amat, { file: 'x.amat' });
    expect([d.count, d.height, d.width, d.channels, d.numClasses]).toEqual([3, 28, 28, 1, 10]);
    expect(d.images).toEqual(images);
    expect(d.images[0]).toBe(255);
    expect(Array.from(d.labels)).toEqual(labels);
  });

  it('keeps the floats with format float32', () => {
    const d = parseAmat(amat, { format: 'float32' });
    expect(d.images).toBeInstanceOf(Float32Array);
    expect(d.images[0]).toBe(1);
    expect(d.images[1]).toBeCloseTo((images[1] as number) / 255, 7);
  });

  it('accepts a missing final newline and CRLF', () => {
    const s = text(amat).trimEnd().replaceAll('\n', '\r\n');
    expect(parseAmat(bytes(s)).count).toBe(3);
  });

  it('names file, line and field on a non-numeric field', () => {
    const lines = text(amat).split('\n');
    lines[1] = (lines[1] as string).replace(/^\S+/, 'abc');
    expect(() => parseAmat(bytes(lines.join('\n')), { file: 'x.amat' })).toThrow(
      "Error in parseAmat: file 'x.amat' line 2 field 1 is 'abc', expected a number",
    );
  });

  it('rejects wrong field counts, out-of-range pixels and labels, and inner blank lines', () => {
    const lines = text(amat).split('\n');
    const short = [...lines];
    short[2] = (short[2] as string).replace(/^\S+ /, '');
    expect(() => parseAmat(bytes(short.join('\n')), { file: 'x.amat' })).toThrow(
      /line 3 has 784 fields, expected 785/,
    );
    const bigPixel = [...lines];
    bigPixel[0] = `1.5${(bigPixel[0] as string).replace(/^\S+/, '')}`;
    expect(() => parseAmat(bytes(bigPixel.join('\n')), { file: 'x.amat' })).toThrow(
      /line 1 field 1 is 1.5, expected a pixel value in \[0, 1\]/,
    );
    const badLabel = [...lines];
    badLabel[0] = (badLabel[0] as string).replace(/\S+$/, '10');
    expect(() => parseAmat(bytes(badLabel.join('\n')), { file: 'x.amat' })).toThrow(
      /line 1 field 785 \(label\) is 10, expected an integer in \[0, 10\)/,
    );
    const fractional = [...lines];
    fractional[0] = (fractional[0] as string).replace(/\S+$/, '2.5');
    expect(() => parseAmat(bytes(fractional.join('\n')), { file: 'x.amat' })).toThrow(
      /label\) is 2.5/,
    );
    const blank = [lines[0], '', lines[1]].join('\n');
    expect(() => parseAmat(bytes(blank), { file: 'x.amat' })).toThrow(/line 2 is empty/);
    expect(() => parseAmat(bytes('\n'), { file: 'x.amat' })).toThrow(/no data lines/);
  });
});
