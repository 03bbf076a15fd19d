import type { Augmentation } from './augmentation';

/**
 * Cutout (DeVries & Taylor 2017) with one square hole of side `size` centered at a uniform pixel and
 * clipped to the image, filled with `fill` (pixel scale). The reference uses one 32 px hole on STL-10.
 */
export function cutout(size: number, fill = 0): Augmentation {
  return (image, height, width, channels, rng) => {
    const cy = rng.nextInt(height);
    const cx = rng.nextInt(width);
    const y0 = Math.max(0, cy - (size >> 1));
    const y1 = Math.min(height, cy + size - (size >> 1));
    const x0 = Math.max(0, cx - (size >> 1));
    const x1 = Math.min(width, cx + size - (size >> 1));
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++)
        image.fill(fill, (y * width + x) * channels, (y * width + x + 1) * channels);
    }
  };
}
