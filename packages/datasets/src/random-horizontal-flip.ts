import type { Augmentation } from './augmentation';

/** Mirrors the image left–right with probability `p` (torchvision's `RandomHorizontalFlip`). */
export function randomHorizontalFlip(p = 0.5): Augmentation {
  return (image, height, width, channels, rng) => {
    if (rng.nextFloat() >= p) return;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width >> 1; x++) {
        const a = (y * width + x) * channels;
        const b = (y * width + width - 1 - x) * channels;
        for (let c = 0; c < channels; c++) {
          const t = image[a + c] as number;
          image[a + c] = image[b + c] as number;
          image[b + c] = t;
        }
      }
    }
  };
}
