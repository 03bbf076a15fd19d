/**
 * @file Upper bounds on what a {@link ModelConfig} may ask for, checked before anything is built
 * (`validateModelConfig`, so `createModel` and every model-file loader): a config from a file is
 * untrusted, and one with 100,000 group elements or a width of 100,000 would exhaust memory (and,
 * on the wasm backend, break the backend for the rest of the process) before any weight is read.
 */

import { ALLCNNC_WIDTHS } from './ckg-allcnnc';
import { ckgCnnLastKernelSize } from './ckg-cnn';
import { lastKernelSize } from './ckg-resnet';
import { widen } from './internal/layer-factory';
import type { ModelConfig } from './model-config';

/**
 * The limits, far above every preset and the reference's experiments (largest: Sim(2) 16×3 = 48
 * elements, width 64, k = 7, 28×28 images):
 *
 * | limit | value | what it bounds |
 * |---|---|---|
 * | `groupElements` | 256 | sampled elements of H (`sampleCount`, or R·S) |
 * | `width` | 4096 | every width after `widenFactor`, `inChannels` |
 * | `depth` | 64 | entries of `hiddenSizes` |
 * | `kernelSize` | 63 | `kernelSize` and the last conv's derived kernel |
 * | `imageSize` | 4096 | `imageSize` |
 * | `numClasses` | 65,536 | `numClasses` |
 * | `kernelNetWidth` | 4096 | `kernelNet.hiddenSize` |
 * | `kernelNetDepth` | 32 | `kernelNet.numHidden` |
 * | `elements` | 2³⁰ | elements of one layer's sampled kernels, of its kernel-net activations, and of one image's feature map (4 GiB of float32 each; the reference's Sim(2) 16×3 nonseparable MNIST-rot model samples 4.6·10⁸) |
 *
 * The kernel estimate is the implementation's largest sampled tensor for the widest layer
 * (`nonseparable`/`gseparable`: k²·G²·C²; `dseparable`: k²·G²·C; the other separable ones:
 * G²·C² + k²·G·C²), an upper bound of what is really sampled.
 */
export const MODEL_LIMITS = Object.freeze({
  groupElements: 256,
  width: 4096,
  depth: 64,
  kernelSize: 63,
  imageSize: 4096,
  numClasses: 65_536,
  kernelNetWidth: 4096,
  kernelNetDepth: 32,
  elements: 2 ** 30,
});

/**
 * Checks a config whose fields have their types (called by `validateModelConfig` after its type
 * checks) against {@link MODEL_LIMITS}; throws through `fail` naming the field and the limit.
 */
export function checkModelLimits(c: ModelConfig, fail: (message: string) => never): void {
  const L = MODEL_LIMITS;
  const atMost = (field: string, value: number, limit: number, what = '') => {
    if (value > limit)
      fail(
        `${field} is ${value}${what}, more than the limit of ${limit} (MODEL_LIMITS; a model this large is refused before anything is built)`,
      );
  };
  const count = c.sampleCount as number | readonly [number, number];
  const g = typeof count === 'number' ? count : count[0] * count[1];
  atMost('sampleCount', g, L.groupElements, ' group elements');
  atMost('hiddenSizes.length', c.hiddenSizes.length, L.depth);
  atMost('kernelSize', c.kernelSize, L.kernelSize);
  atMost('imageSize', c.imageSize, L.imageSize);
  atMost('inChannels', c.inChannels, L.width);
  atMost('numClasses', c.numClasses, L.numClasses);
  atMost('kernelNet.hiddenSize', c.kernelNet.hiddenSize, L.kernelNetWidth);
  atMost('kernelNet.numHidden', c.kernelNet.numHidden, L.kernelNetDepth);
  const widths =
    c.model === 'ckgallcnnc'
      ? widen(ALLCNNC_WIDTHS, c.widenFactor)
      : widen(c.hiddenSizes, c.widenFactor);
  const w = Math.max(...widths);
  atMost('the widest layer (hiddenSizes · widenFactor)', w, L.width, ' channels');
  const k = Math.max(c.kernelSize, lastConvKernel(c));
  atMost("the last conv's kernel size", k, L.kernelSize);
  atMost(
    "the estimated size of one layer's sampled kernels",
    kernelElements(c, g, w, k),
    L.elements,
    ' elements',
  );
  atMost(
    "the estimated size of one layer's kernel-net activations",
    k * k * g * g * c.kernelNet.hiddenSize,
    L.elements,
    ' elements',
  );
  atMost(
    "one image's largest feature map (imageSize² · group elements · width)",
    c.imageSize * c.imageSize * g * w,
    L.elements,
    ' elements',
  );
}

function lastConvKernel(c: ModelConfig): number {
  if (c.model === 'ckgresnet')
    return lastKernelSize(c.imageSize, c.hiddenSizes.length - 1, c.kernelSize);
  if (c.model === 'ckgcnn') return ckgCnnLastKernelSize(c.imageSize, c.hiddenSizes.length);
  return c.kernelSize;
}

function kernelElements(c: ModelConfig, g: number, w: number, k: number): number {
  switch (c.implementation) {
    case 'nonseparable':
    case 'gseparable':
      return k * k * g * g * w * w;
    case 'dseparable':
      return k * k * g * g * w;
    default:
      return g * g * w * w + k * k * g * w * w;
  }
}
