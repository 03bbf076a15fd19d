import type { Rng } from './rng';

/**
 * A random image augmentation: transforms one image `[height, width, channels]` (HWC, values in pixel
 * scale `[0, 1]`, before normalization) in place, drawing randomness from `rng` only.
 */
export type Augmentation = (
  image: Float32Array,
  height: number,
  width: number,
  channels: number,
  rng: Rng,
) => void;
