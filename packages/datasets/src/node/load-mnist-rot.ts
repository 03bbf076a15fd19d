import type { Dataset } from '../dataset';
import { MNIST_ROT_PROTOCOL } from '../mnist-variant-protocol';
import { type LoadMnistVariantOptions, loadMnistVariant } from './load-mnist-variant';

/**
 * MNIST-rot generated from real MNIST by {@link MNIST_ROT_PROTOCOL} and cached on disk: `train`
 * `[12000, 28, 28, 1]` (the last 2,000 are validation) and `test` `[50000, 28, 28, 1]`, uint8.
 * For the official Larochelle et al. files use {@link loadMnistRotFiles}.
 */
export function loadMnistRot(options: LoadMnistVariantOptions = {}): {
  train: Dataset;
  test: Dataset;
} {
  const d = loadMnistVariant(MNIST_ROT_PROTOCOL, options);
  return { train: d.train as Dataset, test: d.test as Dataset };
}
