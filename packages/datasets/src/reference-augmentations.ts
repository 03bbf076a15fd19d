import type { Augmentation } from './augmentation';
import { cutout } from './cutout';
import type { DatasetId } from './dataset-info';
import { randomCrop } from './random-crop';
import { randomHorizontalFlip } from './random-horizontal-flip';
import { randomRotation } from './random-rotation';

/**
 * The reference's augmentations for a dataset and split (reference §6), in order:
 * - `cifar10` with `augment`: train only, random crop (padding 6) + horizontal flip;
 * - `cifar10-rot`: random rotation in `[0, 2π)` on train **and** test, always (that is the dataset);
 * - `stl10` with `augment`: train only, random crop (padding 12) + horizontal flip + cutout (32 px);
 * - every other dataset: none (`cifar100` ignores `augment`, MNIST-rot raised NotImplementedError).
 */
export function referenceAugmentations(
  id: DatasetId,
  split: 'train' | 'test',
  augment = false,
): Augmentation[] {
  if (id === 'cifar10-rot') return [randomRotation()];
  if (!augment || split !== 'train') return [];
  if (id === 'cifar10') return [randomCrop(6), randomHorizontalFlip()];
  if (id === 'stl10') return [randomCrop(12), randomHorizontalFlip(), cutout(32)];
  return [];
}
