import { createDataset, type Dataset } from './dataset';

/**
 * A new {@link Dataset} holding copies of the images and labels at `indices` (in that order).
 * @param indices `[k]` indices into `dataset`, each in `[0, count)`
 */
export function subsetDataset(
  dataset: Dataset,
  indices: ArrayLike<number>,
  name = dataset.name,
): Dataset {
  const per = dataset.height * dataset.width * dataset.channels;
  const images = new (
    dataset.images.constructor as Uint8ArrayConstructor | Float32ArrayConstructor
  )(indices.length * per);
  const labels = new (dataset.labels.constructor as Uint8ArrayConstructor | Int32ArrayConstructor)(
    indices.length,
  );
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k] as number;
    if (!Number.isInteger(i) || i < 0 || i >= dataset.count) {
      throw new Error(
        `Error in subsetDataset: indices[${k}] = ${i} is out of range for dataset '${dataset.name}' with ${dataset.count} images`,
      );
    }
    images.set(dataset.images.subarray(i * per, (i + 1) * per), k * per);
    labels[k] = dataset.labels[i] as number;
  }
  return createDataset({ ...dataset, name, images, labels, count: indices.length });
}
