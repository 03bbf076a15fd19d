import type { Dataset } from '../dataset';
import { MNIST_SCALE_PROTOCOL } from '../mnist-variant-protocol';
import { type LoadMnistVariantOptions, loadMnistVariant } from './load-mnist-variant';

/** MNIST-scale by {@link MNIST_SCALE_PROTOCOL}, cached: `train` 10k, `validation` 2k, `test` 50k, uint8 `[n, 28, 28, 1]`. */
export function loadMnistScale(options: LoadMnistVariantOptions = {}): {
  train: Dataset;
  validation: Dataset;
  test: Dataset;
} {
  const d = loadMnistVariant(MNIST_SCALE_PROTOCOL, options);
  return {
    train: d.train as Dataset,
    validation: d.validation as Dataset,
    test: d.test as Dataset,
  };
}
