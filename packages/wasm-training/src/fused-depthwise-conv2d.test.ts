import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { forwardGeometry } from './depthwise-conv2d-native';
import { expectClose, isWasmProject, onWasmAndCpu, randomValues } from './parity.test-helpers';
import { registerWasmTrainingKernels } from './register';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
type Activation = 'linear' | 'relu';

/** `tf.fused.depthwiseConv2d` of seeded data: y as a plain array. */
function fusedConv(
  [n, h, w, c]: [number, number, number, number],
  k: number,
  stride: number,
  pad: Pad,
  bias: 'channels' | 'none',
  activation: Activation | 'leakyrelu',
  seed: number,
): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(randomValues(n * h * w * c, seed), [n, h, w, c]);
    const filter = tf.tensor4d(randomValues(k * k * c, seed + 1), [k, k, c, 1]);
    const b = bias === 'channels' ? tf.tensor1d(randomValues(c, seed + 2)) : undefined;
    const y = tf.fused.depthwiseConv2d({
      x,
      filter,
      strides: stride,
      // explicit padding runs (conv_util), though the op's type leaves it out
      pad: pad as 'same',
      bias: b,
      activation,
      leakyreluAlpha: 0.1,
    });
    return y.dataSync() as Float32Array;
  });
}

// wasm-only: the SIMD kernel's bias and ReLU against tfjs-backend-cpu's fused kernel.
describe.skipIf(!isWasmProject())('FusedDepthwiseConv2D on wasm equals cpu', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  const explicit: Pad = [
    [0, 0],
    [1, 2],
    [3, 0],
    [0, 0],
  ];
  // 4 and 12 channels take unroll 1, 16 and 48 unroll 4; width 13 has interior tiles, border
  // tiles and a tail of single pixels
  const cases: Array<[number, number, Pad, number, Activation]> = [];
  for (const k of [3, 7])
    for (const stride of [1, 2])
      for (const pad of ['same', 'valid', explicit] as Pad[])
        for (const c of [4, 12, 16, 48])
          for (const activation of ['linear', 'relu'] as Activation[])
            cases.push([k, stride, pad, c, activation]);

  it.each(cases)(
    'kernel %i, stride %i, pad %j, %i channels, bias [C], %s',
    async (k, stride, pad, c, activation) => {
      const shape: [number, number, number, number] = [2, k + 4, 13, c];
      // the case must take the SIMD path on wasm (else this test would only test the stock kernel)
      const geometry = forwardGeometry(
        tf.backend(),
        { dataId: {}, shape, dtype: 'float32' },
        { dataId: {}, shape: [k, k, c, 1], dtype: 'float32' },
        { strides: stride, pad, dilations: 1 } as unknown as tf.NamedAttrMap,
      );
      expect(geometry).not.toBeNull();
      const { wasm, cpu } = await onWasmAndCpu(() =>
        fusedConv(shape, k, stride, pad, 'channels', activation, 3 * k + c),
      );
      expectClose(wasm, cpu, 1e-5, 'y');
      if (activation === 'relu') {
        // the ReLU clamped about half the outputs: exact zeros in both
        const zeros = (a: Float32Array) => a.filter((v) => v === 0).length;
        expect(zeros(wasm)).toBeGreaterThan(wasm.length / 4);
        expect(zeros(wasm)).toBe(zeros(cpu));
      }
    },
  );

  it.each([
    ['no bias, linear (the plain SIMD forward)', 'none', 'linear'],
    ['no bias, ReLU (stock kernel)', 'none', 'relu'],
    ['leaky ReLU (stock kernel)', 'channels', 'leakyrelu'],
  ] as const)('%s equals cpu', async (_, bias, activation) => {
    const { wasm, cpu } = await onWasmAndCpu(() =>
      fusedConv([2, 8, 9, 16], 3, 1, 'same', bias, activation, 5),
    );
    expectClose(wasm, cpu, 1e-5, 'y');
  });
});
