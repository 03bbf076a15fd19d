import { describe, expect, it } from 'vitest';
import { detSinCos } from './internal/det-trig';
import { testBytes } from './internal/format-writers';
import { rotateImage } from './rotate-image';
import { rotationScaleMap } from './rotation-scale-map';
import { warpImage } from './warp-image';

function rot90(img: Uint8Array, h: number, w: number): Uint8Array {
  // counter-clockwise as displayed: out[y][x] = in[x][w − 1 − y]
  const out = new Uint8Array(h * w);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) out[y * w + x] = img[x * w + (w - 1 - y)] as number;
  return out;
}

describe('warpImage / rotateImage', () => {
  const img = testBytes(28 * 28, 5);

  it('the identity map copies the image exactly', () => {
    const out = warpImage(img, 28, 28, 1, [1, 0, 0, 1], new Uint8Array(784));
    expect(out).toEqual(img);
  });

  it('a rotation by π/2 is the exact counter-clockwise rot90, four of them the identity', () => {
    const out = rotateImage(img, 28, 28, 1, Math.PI / 2, new Uint8Array(784));
    expect(out).toEqual(rot90(img, 28, 28));
    let x = img;
    for (let k = 0; k < 4; k++)
      x = rotateImage(x, 28, 28, 1, Math.PI / 2, new Uint8Array(784)) as Uint8Array;
    expect(x).toEqual(img);
  });

  it('keeps channels separate (HWC)', () => {
    const rgb = testBytes(6 * 6 * 3, 9);
    const out = rotateImage(rgb, 6, 6, 3, Math.PI, new Uint8Array(rgb.length));
    for (let c = 0; c < 3; c++) expect(out[c]).toBe(rgb[(35 * 3 + c) as number]);
  });

  it('zooming out by 0.5 shrinks a full image into the center and pads with zeros', () => {
    const ones = new Float32Array(28 * 28).fill(1);
    const out = warpImage(ones, 28, 28, 1, rotationScaleMap(0, 0.5), new Float32Array(784));
    expect(out[0]).toBe(0);
    expect(out[14 * 28 + 14]).toBe(1);
    const mass = Array.from(out).reduce((a, b) => a + b, 0);
    expect(mass).toBeGreaterThan(784 / 4 - 30);
    expect(mass).toBeLessThan(784 / 4 + 30);
  });

  it('rejects mismatched sizes with a message naming the op', () => {
    expect(() => warpImage(img, 28, 28, 3, [1, 0, 0, 1], new Uint8Array(784))).toThrow(
      /Error in warpImage/,
    );
  });

  it('detSinCos agrees with Math.sin/cos to ~1e-15 on [0, 2π]', () => {
    for (let k = 0; k <= 1000; k++) {
      const x = (k / 1000) * 2 * Math.PI;
      const [s, c] = detSinCos(x);
      expect(Math.abs(s - Math.sin(x))).toBeLessThan(1e-15);
      expect(Math.abs(c - Math.cos(x))).toBeLessThan(1e-15);
    }
  });
});
