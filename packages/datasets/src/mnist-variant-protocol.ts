/**
 * A recipe that turns the 70,000 MNIST images into a transformed dataset. Plain data, so a cache
 * header can record it and detect a stale cache.
 */
export interface MnistVariantProtocol {
  /** Dataset name, e.g. `'mnist-rot'`. */
  readonly name: string;
  /** Bumped whenever the generator's output for a seed changes. */
  readonly version: number;
  /** Consecutive splits taken from the seeded permutation of the pool, e.g. `[['train', 12000], ['test', 50000]]`. */
  readonly splits: readonly (readonly [name: string, size: number])[];
  /** Rotation angle uniform in `[lo, hi)` radians. */
  readonly angle: readonly [number, number];
  /** Scale factor uniform in `[lo, hi)`; `< 1` zooms out (the digit shrinks, zero padded to 28×28). */
  readonly scale: readonly [number, number];
  /** Default seed. */
  readonly seed: number;
}

/**
 * MNIST-rot (Larochelle et al. 2007): 12,000 train (the last 2,000 are the validation set, as in the
 * official `train_valid` file) and 50,000 test, each rotated by an angle uniform in `[0, 2π)`.
 */
export const MNIST_ROT_PROTOCOL: MnistVariantProtocol = {
  name: 'mnist-rot',
  version: 1,
  splits: [
    ['train', 12000],
    ['test', 50000],
  ],
  angle: [0, 2 * Math.PI],
  scale: [1, 1],
  seed: 0,
};

/** MNIST-scale (SESN, Sosnovik et al. 2020): 10k train / 2k validation / 50k test, scale uniform in `[0.3, 1)`. */
export const MNIST_SCALE_PROTOCOL: MnistVariantProtocol = {
  name: 'mnist-scale',
  version: 1,
  splits: [
    ['train', 10000],
    ['validation', 2000],
    ['test', 50000],
  ],
  angle: [0, 0],
  scale: [0.3, 1],
  seed: 0,
};

/** MNIST-rot-scale (reference `make_mnist_rot_scale.py`): 12k / 8k / 50k, rotation in `[0, 2π)` and zoom-out in `[0.3, 1)`, seed 0. */
export const MNIST_ROT_SCALE_PROTOCOL: MnistVariantProtocol = {
  name: 'mnist-rot-scale',
  version: 1,
  splits: [
    ['train', 12000],
    ['validation', 8000],
    ['test', 50000],
  ],
  angle: [0, 2 * Math.PI],
  scale: [0.3, 1],
  seed: 0,
};
