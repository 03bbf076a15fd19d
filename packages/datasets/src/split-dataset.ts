import type { Dataset } from './dataset';

/**
 * Splits `dataset` into consecutive parts of the given sizes, in file order (views, no copy). Sizes
 * must sum to at most `count`; use {@link subsetDataset} with a seeded permutation for a shuffled split.
 *
 * @example `splitDataset(galaxy, [17428, 4357], ['train', 'test'])`
 */
export function splitDataset(
  dataset: Dataset,
  sizes: readonly number[],
  names?: readonly string[],
): Dataset[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (sizes.some((s) => !Number.isInteger(s) || s < 0) || total > dataset.count) {
    throw new Error(
      `Error in splitDataset: sizes [${sizes.join(', ')}] must be non-negative integers summing to at most count = ${dataset.count} of dataset '${dataset.name}'`,
    );
  }
  const per = dataset.height * dataset.width * dataset.channels;
  let start = 0;
  return sizes.map((size, k) => {
    const part: Dataset = {
      ...dataset,
      name: names?.[k] !== undefined ? `${dataset.name}-${names[k]}` : `${dataset.name}-${k}`,
      images: dataset.images.subarray(start * per, (start + size) * per),
      labels: dataset.labels.subarray(start, start + size),
      count: size,
    };
    start += size;
    return part;
  });
}
