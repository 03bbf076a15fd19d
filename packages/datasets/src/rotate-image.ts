import { rotationScaleMap } from './rotation-scale-map';
import { warpImage } from './warp-image';

/**
 * Rotates one image `[height, width, channels]` by `angle` radians counter-clockwise about its
 * center, bilinear, zero fill (or `fill`). See {@link warpImage}.
 */
export function rotateImage(
  image: ArrayLike<number>,
  height: number,
  width: number,
  channels: number,
  angle: number,
  out: Float32Array | Uint8Array,
  fill = 0,
): Float32Array | Uint8Array {
  return warpImage(image, height, width, channels, rotationScaleMap(angle), out, fill);
}
