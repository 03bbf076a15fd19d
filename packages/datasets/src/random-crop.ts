import type { Augmentation } from './augmentation';

/**
 * torchvision's `RandomCrop(size, padding)` with size = the image size: zero-pads by `padding` on
 * every side and crops back at a uniform offset in `[0, 2·padding]²`, i.e. a random shift with fill
 * `fill`. The reference uses padding 6 (CIFAR) and 12 (STL-10).
 */
export function randomCrop(padding: number, fill = 0): Augmentation {
  return (image, height, width, channels, rng) => {
    const ox = rng.nextInt(2 * padding + 1) - padding;
    const oy = rng.nextInt(2 * padding + 1) - padding;
    if (ox === 0 && oy === 0) return;
    const src = image.slice();
    for (let y = 0; y < height; y++) {
      const sy = y + oy;
      for (let x = 0; x < width; x++) {
        const sx = x + ox;
        const inside = sy >= 0 && sy < height && sx >= 0 && sx < width;
        for (let c = 0; c < channels; c++) {
          image[(y * width + x) * channels + c] = inside
            ? (src[(sy * width + sx) * channels + c] as number)
            : fill;
        }
      }
    }
  };
}
