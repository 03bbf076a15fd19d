/**
 * `@gcnn/datasets`: in-memory datasets, parsers of the dataset file formats (from bytes), the
 * deterministic MNIST-variant generators, seeded shuffling and tfjs batching. Browser-safe: nothing
 * here touches the file system; the Node loaders live in `@gcnn/datasets/node`.
 */
export type { Augmentation } from './augmentation';
export { type BatchesOptions, batches, type IndexedBatch } from './batches';
export { concatDatasets } from './concat-datasets';
export { cutout } from './cutout';
export { createDataset, type Dataset, type ImageArray, type LabelArray } from './dataset';
export { DATASET_INFO, type DatasetId, type DatasetInfo, type Normalization } from './dataset-info';
export { type GenerateMnistVariantOptions, generateMnistVariant } from './generate-mnist-variant';
export { type IdxDatasetOptions, idxDataset } from './idx-dataset';
export { maybeGunzip } from './maybe-gunzip';
export {
  MNIST_ROT_PROTOCOL,
  MNIST_ROT_SCALE_PROTOCOL,
  MNIST_SCALE_PROTOCOL,
  type MnistVariantProtocol,
} from './mnist-variant-protocol';
export { type ParseAmatOptions, parseAmat } from './parse-amat';
export { type ParseCifarOptions, parseCifar } from './parse-cifar';
export { type IdxArray, type IdxData, type ParseIdxOptions, parseIdx } from './parse-idx';
export { type ParseStl10Options, parseStl10 } from './parse-stl10';
export { randomCrop } from './random-crop';
export { randomHorizontalFlip } from './random-horizontal-flip';
export { randomRotation } from './random-rotation';
export { referenceAugmentations } from './reference-augmentations';
export { rotateImage } from './rotate-image';
export { rotationScaleMap } from './rotation-scale-map';
export { splitDataset } from './split-dataset';
export { subsetDataset } from './subset-dataset';
export { type Batch, type ToBatchOptions, toBatch } from './to-batch';
export { type InverseMap, warpImage } from './warp-image';
