import { createDataset, type Dataset } from './dataset';

/** Concatenates datasets of equal image shape, class count and storage type into a new one. */
export function concatDatasets(datasets: readonly Dataset[], name: string): Dataset {
  const first = datasets[0];
  if (!first) throw new Error('Error in concatDatasets: expected at least one dataset');
  for (const d of datasets) {
    if (
      d.height !== first.height ||
      d.width !== first.width ||
      d.channels !== first.channels ||
      d.numClasses !== first.numClasses ||
      d.images.constructor !== first.images.constructor
    ) {
      throw new Error(
        `Error in concatDatasets: dataset '${d.name}' is [${d.height}, ${d.width}, ${d.channels}] ${d.images.constructor.name} with ${d.numClasses} classes, expected [${first.height}, ${first.width}, ${first.channels}] ${first.images.constructor.name} with ${first.numClasses} classes as '${first.name}'`,
      );
    }
  }
  const count = datasets.reduce((a, d) => a + d.count, 0);
  const images = new (first.images.constructor as Uint8ArrayConstructor | Float32ArrayConstructor)(
    datasets.reduce((a, d) => a + d.images.length, 0),
  );
  const labels = new Int32Array(count);
  let io = 0;
  let lo = 0;
  for (const d of datasets) {
    images.set(d.images, io);
    labels.set(d.labels, lo);
    io += d.images.length;
    lo += d.count;
  }
  return createDataset({ ...first, name, images, labels, count });
}
