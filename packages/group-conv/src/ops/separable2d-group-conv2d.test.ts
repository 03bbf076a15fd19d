/**
 * separable2dGroupConv2d (one customGrad op that keeps only its inputs and recomputes the mixed
 * maps in its gradient; the scale mixing as the per-channel kernels on wasm, one block-diagonal
 * matMul elsewhere) gives the values and
 * gradients of the plain autodiff formulation it replaced (per-channel batched scale mixing,
 * same float32 arithmetic up to summation order); reluKeepingOutput and addChannelBias give
 * tf.relu's and tf.add's.
 */

import { relativeL2, testBackend, tolerance } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it } from 'vitest';
import { convPadding } from '../layout';
import { circulant } from './circulant.test-helpers';
import { GROUP_AXIS_KERNELS, useCirculantMixing } from './circulant-mixing';
import { withDenseMixings } from './dense-mixings';
import { addChannelBias, reluKeepingOutput } from './lean-activations';
import { PER_CHANNEL_MIX_KERNELS, usePerChannelMixKernels } from './per-channel-mixing';
import { separable2dGroupConv2d } from './separable2d-group-conv2d';

/** The previous formulation (autodiff through transposes and matMuls). */
function plain(
  x: tf.Tensor5D,
  rot: tf.Tensor2D,
  scale: tf.Tensor3D,
  spatial: tf.Tensor4D,
  r: number,
  s: number,
  stride: number,
  padding: 'same' | number,
): tf.Tensor5D {
  const [b, h, w, , cIn] = x.shape;
  const cOut = scale.shape[0];
  const n = b * h * w;
  const xs = tf.reshape(tf.transpose(tf.reshape(x, [n, r, s, cIn]), [0, 2, 1, 3]), [
    n * s,
    r * cIn,
  ]);
  const z1 = tf.reshape(tf.matMul(xs as tf.Tensor2D, rot), [n, s, r, cOut]);
  const z1c = tf.reshape(tf.transpose(z1, [3, 0, 2, 1]), [cOut, n * r, s]);
  const z2 = tf.reshape(tf.matMul(z1c as tf.Tensor3D, scale), [cOut, n, r, s]);
  const mixed = tf.reshape(tf.transpose(z2, [1, 2, 3, 0]), [b, h, w, r * s * cOut]) as tf.Tensor4D;
  const y = tf.depthwiseConv2d(mixed, spatial, stride, convPadding('test', padding));
  return tf.reshape(y, [b, y.shape[1], y.shape[2], r * s, cOut]);
}

/** The kernels one gradient of `separable2dGroupConv2d` with respect to x runs, by name. */
async function trainingKernelNames(
  x: tf.Tensor5D,
  rot: tf.Tensor2D,
  scale: tf.Tensor3D,
  spatial: tf.Tensor4D,
  opts: Parameters<typeof separable2dGroupConv2d>[4],
): Promise<string[]> {
  const info = await tf.profile(() =>
    tf.grads((a) => tf.sum(separable2dGroupConv2d(a as tf.Tensor5D, rot, scale, spatial, opts)))([
      x,
    ]),
  );
  tf.dispose(info.result as tf.Tensor[]);
  return info.kernelNames;
}

describe('separable2dGroupConv2d', () => {
  for (const [name, b, hw, r, s, cIn, cOut, k, stride, padding, isCirculant] of [
    ['same, stride 1', 2, 7, 4, 3, 3, 5, 3, 1, 'same', false],
    ['padding 2, stride 2, odd size', 3, 9, 2, 2, 4, 2, 5, 2, 2, false],
    ['no padding', 1, 6, 3, 2, 2, 3, 3, 1, 0, false],
    // the Fourier form where the backend has GROUP_AXIS_KERNELS (wasm), gradients through w
    // (32·32 channels and more: circulantMixingPays)
    ['circulant, 8 rotations', 1, 4, 8, 2, 32, 32, 3, 1, 'same', true],
    ['circulant, 4 rotations, stride 2', 1, 5, 4, 3, 32, 40, 3, 2, 1, true],
  ] as const) {
    it(`equals the plain formulation in value and gradients (${name})`, async () => {
      const [ours, expected, g1, g2] = tf.tidy(() => {
        const x = tf.randomNormal([b, hw, hw, r * s, cIn], 0, 1, 'float32', 1) as tf.Tensor5D;
        // a circulant mixing is a function of its first block column w
        const w = isCirculant
          ? tf.randomNormal([r, cIn, cOut], 0, 1, 'float32', 2)
          : tf.randomNormal([r * cIn, r * cOut], 0, 1, 'float32', 2);
        const mixing = (t: tf.Tensor) =>
          isCirculant ? circulant(t as tf.Tensor3D) : (t as tf.Tensor2D);
        const scale = tf.randomNormal([cOut, s, s], 0, 1, 'float32', 3) as tf.Tensor3D;
        const spatial = tf.randomNormal([k, k, r * s * cOut, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
        const opts = { nRotations: r, nScales: s, stride, padding, circulant: isCirculant };
        const ours = separable2dGroupConv2d(x, mixing(w), scale, spatial, opts);
        const expected = plain(x, mixing(w), scale, spatial, r, s, stride, padding);
        const wts = tf.randomNormal(expected.shape, 0, 1, 'float32', 5);
        const grads = (f: (...t: tf.Tensor[]) => tf.Tensor) =>
          tf.grads((a, c, d, e) => tf.sum(tf.mul(f(a!, c!, d!, e!), wts)))([x, w, scale, spatial]);
        const g1 = grads((a, c, d, e) =>
          separable2dGroupConv2d(
            a as tf.Tensor5D,
            mixing(c),
            d as tf.Tensor3D,
            e as tf.Tensor4D,
            opts,
          ),
        );
        const g2 = grads((a, c, d, e) =>
          plain(
            a as tf.Tensor5D,
            mixing(c),
            d as tf.Tensor3D,
            e as tf.Tensor4D,
            r,
            s,
            stride,
            padding,
          ),
        );
        return [ours, expected, g1, g2];
      });
      expect(ours.shape).toEqual(expected.shape);
      expect(await relativeL2(ours, expected)).toBeLessThanOrEqual(tolerance('exact'));
      for (let i = 0; i < 4; i++) {
        expect(g1[i]!.shape).toEqual(g2[i]!.shape);
        expect(await relativeL2(g1[i]!, g2[i]!), `gradient ${i}`).toBeLessThanOrEqual(
          tolerance('exact'),
        );
      }
      tf.dispose([ours, expected, ...g1, ...g2]);
    });
  }

  it('runs a circulant rotation mixing in Fourier form where the backend has GROUP_AXIS_KERNELS (wasm)', async () => {
    // 32 → 32 channels: blocks the Fourier form pays for (circulantMixingPays)
    const x = tf.randomNormal([1, 4, 4, 8, 32], 0, 1, 'float32', 1) as tf.Tensor5D;
    const rot = tf.tidy(() =>
      circulant(tf.randomNormal([4, 32, 32], 0, 1, 'float32', 2) as tf.Tensor3D),
    );
    const scale = tf.randomNormal([32, 2, 2], 0, 1, 'float32', 3) as tf.Tensor3D;
    const spatial = tf.randomNormal([3, 3, 256, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
    const kernels = (circulantMixing: boolean) =>
      trainingKernelNames(x, rot, scale, spatial, {
        nRotations: 4,
        nScales: 2,
        circulant: circulantMixing,
      });
    const fourier = testBackend() === 'wasm';
    expect(useCirculantMixing(4)).toBe(fourier);
    const used = await kernels(true);
    expect(used.includes(GROUP_AXIS_KERNELS.split)).toBe(fourier);
    expect(used.includes(GROUP_AXIS_KERNELS.merge)).toBe(fourier);
    expect((await kernels(false)).includes(GROUP_AXIS_KERNELS.split)).toBe(false);
    tf.dispose([x, rot, scale, spatial]);
  });

  it('runs the scale mixing with PER_CHANNEL_MIX_KERNELS where the backend has them (wasm), not inside withDenseMixings', async () => {
    const x = tf.randomNormal([1, 4, 4, 6, 8], 0, 1, 'float32', 1) as tf.Tensor5D;
    const rot = tf.randomNormal([24, 24], 0, 1, 'float32', 2) as tf.Tensor2D;
    const scale = tf.randomNormal([8, 2, 2], 0, 1, 'float32', 3) as tf.Tensor3D;
    const spatial = tf.randomNormal([3, 3, 48, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
    const opts = { nRotations: 3, nScales: 2 };
    const kernels = testBackend() === 'wasm';
    expect(usePerChannelMixKernels()).toBe(kernels);
    const used = await trainingKernelNames(x, rot, scale, spatial, opts);
    expect(used.includes(PER_CHANNEL_MIX_KERNELS.mix)).toBe(kernels);
    expect(used.includes(PER_CHANNEL_MIX_KERNELS.filter)).toBe(kernels);
    expect(withDenseMixings(() => usePerChannelMixKernels())).toBe(false);
    const frozen = await tf.profile(() =>
      withDenseMixings(() => separable2dGroupConv2d(x, rot, scale, spatial, opts)),
    );
    (frozen.result as tf.Tensor).dispose();
    expect(frozen.kernelNames.includes(PER_CHANNEL_MIX_KERNELS.mix)).toBe(false);
    tf.dispose([x, rot, scale, spatial]);
  });

  it('keeps no intermediates: no tensors leak in training or inference', () => {
    const x = tf.randomNormal([2, 5, 5, 6, 2], 0, 1, 'float32', 1) as tf.Tensor5D;
    const rot = tf.randomNormal([6, 9], 0, 1, 'float32', 2) as tf.Tensor2D;
    const scale = tf.randomNormal([3, 2, 2], 0, 1, 'float32', 3) as tf.Tensor3D;
    const spatial = tf.randomNormal([3, 3, 18, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
    const opts = { nRotations: 3, nScales: 2 };
    const before = tf.memory().numTensors;
    separable2dGroupConv2d(x, rot, scale, spatial, opts).dispose();
    const gs = tf.grads((a) =>
      tf.sum(separable2dGroupConv2d(a as tf.Tensor5D, rot, scale, spatial, opts)),
    )([x]);
    for (const g of gs) g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, rot, scale, spatial]);
  });
});

describe('reluKeepingOutput and addChannelBias', () => {
  it('equal tf.relu and tf.add in value and gradients', async () => {
    const [ours, theirs, lean, plain] = tf.tidy(() => {
      const x = tf.tensor3d([1, -2, 0, 3, -0.5, 2, -1, 4, 0.25, -3, 5, -6], [2, 2, 3]);
      const bias = tf.tensor1d([0.5, -1, 2]);
      const w = tf.randomNormal([2, 2, 3], 0, 1, 'float32', 7);
      const loss = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(f(a, b), w));
      const ours = tf.grads(loss((a, b) => reluKeepingOutput(addChannelBias(a, b as tf.Tensor1D))))(
        [x, bias],
      );
      const theirs = tf.grads(loss((a, b) => tf.relu(tf.add(a, b))))([x, bias]);
      return [
        ours,
        theirs,
        reluKeepingOutput(addChannelBias(x, bias)),
        tf.relu(tf.add(x, bias)),
      ] as const;
    });
    expect(Array.from(await lean.data())).toEqual(Array.from(await plain.data()));
    for (let i = 0; i < 2; i++) expect(await relativeL2(ours[i]!, theirs[i]!)).toBe(0);
    tf.dispose([...ours, ...theirs, lean, plain]);
  });
});
