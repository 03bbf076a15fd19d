/**
 * `@gcnn/datasets/node`: loaders that read dataset files from disk and the on-disk cache of the
 * generated MNIST variants. Node only (uses `node:fs`).
 */
export { defaultCacheDir } from './default-cache-dir';
export { loadCifar10 } from './load-cifar10';
export { loadCifar100 } from './load-cifar100';
export { DEBIAN_FASHION_MNIST_DIR, loadFashionMnist } from './load-fashion-mnist';
export { loadGalaxy10 } from './load-galaxy10';
export { loadIdxSplit } from './load-idx-split';
export { loadMnist } from './load-mnist';
export { loadMnistRot } from './load-mnist-rot';
export { loadMnistRotFiles, MNIST_ROT_FILES } from './load-mnist-rot-files';
export { loadMnistRotScale } from './load-mnist-rot-scale';
export { loadMnistScale } from './load-mnist-scale';
export {
  type CacheEvent,
  type LoadMnistVariantOptions,
  loadMnistVariant,
} from './load-mnist-variant';
export { loadStl10 } from './load-stl10';
export { mnistDataDir } from './mnist-data-dir';
export { readIdx } from './read-idx';
