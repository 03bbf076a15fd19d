import type { Augmentation } from './augmentation';
import { rotationScaleMap } from './rotation-scale-map';
import { warpImage } from './warp-image';

/**
 * Rotates the image about its center by an angle uniform in `[0, 2π)`, bilinear, filling with
 * `fill` in pixel scale (torchvision's `RandomRotation(360)` uses nearest-neighbor; we use bilinear).
 * The reference's CIFAR10_rot rotates *after* normalization, so its fill is the normalized 0, i.e.
 * pixel value 0.5 for CIFAR; pass `fill = 0.5` to reproduce that.
 */
export function randomRotation(fill = 0): Augmentation {
  return (image, height, width, channels, rng) => {
    const angle = rng.nextFloat() * 2 * Math.PI;
    warpImage(image.slice(), height, width, channels, rotationScaleMap(angle), image, fill);
  };
}
