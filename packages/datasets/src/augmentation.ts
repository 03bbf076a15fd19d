import type { Xoshiro128 } from '@gcnn/lie-groups';

/**
 * A random image augmentation: transforms one image `[height, width, channels]` (HWC, values in pixel
 * scale `[0, 1]`, before normalization) in place, drawing randomness from `rng` only.
 */
export type Augmentation = (
  image: Float32Array,
  height: number,
  width: number,
  channels: number,
  rng: Xoshiro128,
) => void;
