/**
 * separableGroupConv2d with `circulantRotations` (the Fourier form of its mixing where the backend
 * registers GROUP_AXIS_KERNELS: wasm) gives the dense product's values and gradients, on SE(2)'s
 * group axis (R rotations) and on Sim(2)'s (R rotations × S scales, rotation-major).
 */

import { relativeL2, testBackend, tolerance } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it } from 'vitest';
import { circulant } from './circulant.test-helpers';
import { GROUP_AXIS_KERNELS } from './circulant-mixing';
import { separableGroupConv2d } from './separable-group-conv2d';

describe('separableGroupConv2d with circulantRotations', () => {
  // G = R·S elements, C channels: blocks of S·C channels per rotation (≥ 32·32: the Fourier form pays)
  for (const [name, r, s, cIn, cOut] of [
    ['SE(2), 8 rotations', 8, 1, 32, 32],
    ['Sim(2), 4 rotations × 2 scales', 4, 2, 16, 24],
  ] as const) {
    it(`equals the dense product in value and gradients (${name})`, async () => {
      const g = r * s;
      const before = tf.memory().numTensors;
      const run = (rotations?: number) =>
        tf.tidy(() => {
          const x = tf.randomNormal([1, 5, 5, g, cIn], 0, 1, 'float32', 1) as tf.Tensor5D;
          const w = tf.randomNormal([r, s * cIn, s * cOut], 0, 1, 'float32', 2) as tf.Tensor3D;
          const spatial = tf.randomNormal([3, 3, g * cOut, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
          const weights = tf.randomNormal([1, 5, 5, g, cOut], 0, 1, 'float32', 4);
          const options = rotations === undefined ? {} : { circulantRotations: rotations };
          const f = (a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(
              tf.mul(
                separableGroupConv2d(
                  a as tf.Tensor5D,
                  circulant(b as tf.Tensor3D),
                  spatial,
                  g,
                  options,
                ),
                weights,
              ),
            );
          const y = separableGroupConv2d(x, circulant(w), spatial, g, options);
          return [y, ...tf.grads(f)([x, w])];
        });
      const dense = run();
      const fourier = run(r);
      for (let i = 0; i < 3; i++)
        expect(await relativeL2(fourier[i]!, dense[i]!), `output ${i}`).toBeLessThanOrEqual(
          tolerance('exact'),
        );
      tf.dispose([...dense, ...fourier]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('runs GROUP_AXIS_KERNELS on wasm only, and only with circulantRotations', async () => {
    const x = tf.randomNormal([1, 4, 4, 8, 32], 0, 1, 'float32', 1) as tf.Tensor5D;
    const mixing = tf.tidy(() => circulant(tf.randomNormal([8, 32, 32]) as tf.Tensor3D));
    const spatial = tf.randomNormal([3, 3, 256, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const kernels = async (rotations?: number) => {
      const info = await tf.profile(() =>
        separableGroupConv2d(
          x,
          mixing,
          spatial,
          8,
          rotations ? { circulantRotations: rotations } : {},
        ),
      );
      tf.dispose(info.result as tf.Tensor);
      return info.kernelNames;
    };
    expect((await kernels(8)).includes(GROUP_AXIS_KERNELS.split)).toBe(testBackend() === 'wasm');
    expect((await kernels()).includes(GROUP_AXIS_KERNELS.split)).toBe(false);
    tf.dispose([x, mixing, spatial]);
  });
});
