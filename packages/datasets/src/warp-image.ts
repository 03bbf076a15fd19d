/**
 * A linear map about the image center, given as its inverse `[m00, m01, m10, m11]`: the output pixel
 * at offset `(dx, dy)` from the center samples the input at offset
 * `(m00·dx + m01·dy, m10·dx + m11·dy)`. Offsets are in pixels, x to the right and y down.
 */
export type InverseMap = readonly [number, number, number, number];

/**
 * Resamples one image `[height, width, channels]` (HWC, row-major) under a linear map about its
 * center `((width−1)/2, (height−1)/2)` with bilinear interpolation; samples outside the image read
 * `fill` (the zero padding of torchvision's `rotate`/`affine`).
 *
 * Plain JS on typed arrays (no tfjs) so results are bit-identical on every backend. A `Uint8Array`
 * `out` receives values rounded half up and clamped to `[0, 255]`.
 *
 * @param image input values `[height·width·channels]`
 * @param out output `[height·width·channels]`; must not alias `image`
 */
export function warpImage(
  image: ArrayLike<number>,
  height: number,
  width: number,
  channels: number,
  inverse: InverseMap,
  out: Float32Array | Uint8Array,
  fill = 0,
): Float32Array | Uint8Array {
  const n = height * width * channels;
  if (image.length !== n || out.length !== n) {
    throw new Error(
      `Error in warpImage: image and out must have height·width·channels = ${n} values, got ${image.length} and ${out.length}`,
    );
  }
  const [m00, m01, m10, m11] = inverse;
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const round = out instanceof Uint8Array;
  for (let y = 0; y < height; y++) {
    const dy = y - cy;
    for (let x = 0; x < width; x++) {
      const dx = x - cx;
      const sx = m00 * dx + m01 * dy + cx;
      const sy = m10 * dx + m11 * dy + cy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const w00 = (1 - fx) * (1 - fy);
      const w01 = fx * (1 - fy);
      const w10 = (1 - fx) * fy;
      const w11 = fx * fy;
      const in00 = x0 >= 0 && x0 < width && y0 >= 0 && y0 < height;
      const in01 = x0 + 1 >= 0 && x0 + 1 < width && y0 >= 0 && y0 < height;
      const in10 = x0 >= 0 && x0 < width && y0 + 1 >= 0 && y0 + 1 < height;
      const in11 = x0 + 1 >= 0 && x0 + 1 < width && y0 + 1 >= 0 && y0 + 1 < height;
      const base = (y0 * width + x0) * channels;
      const o = (y * width + x) * channels;
      for (let ch = 0; ch < channels; ch++) {
        const v00 = in00 ? (image[base + ch] as number) : fill;
        const v01 = in01 ? (image[base + channels + ch] as number) : fill;
        const v10 = in10 ? (image[base + width * channels + ch] as number) : fill;
        const v11 = in11 ? (image[base + (width + 1) * channels + ch] as number) : fill;
        const v = w00 * v00 + w01 * v01 + w10 * v10 + w11 * v11;
        out[o + ch] = round ? Math.min(255, Math.max(0, Math.floor(v + 0.5))) : v;
      }
    }
  }
  return out;
}
