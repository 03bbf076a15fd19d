import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, isWasmProject, onWasmAndCpu, randomValues } from '../parity.test-helpers';
import { registerWasmTrainingKernels } from '../register';
import { depthwiseModuleBytes } from './depthwise-module';
import { simdDepthwiseAvailable, simdGeometry } from './depthwise-simd';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

describe('the SIMD depthwise module', () => {
  it('assembles to a valid wasm module', () => {
    expect(WebAssembly.validate(depthwiseModuleBytes())).toBe(true);
  });
});

// wasm-only: the SIMD kernels against tfjs-backend-cpu, forward and both gradients.
describe.skipIf(!isWasmProject())('SIMD depthwise kernels on wasm equal cpu', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  const explicit: Pad = [
    [0, 0],
    [2, 1],
    [0, 3],
    [0, 0],
  ];
  // 4·unroll channels per block: 4 and 12 take unroll 1, 16 and 48 unroll 4. Rows k + 4 wide
  // have at most one interior tile of the forward kernel; rows 4k + 9 … 4k + 12 wide have
  // several, for either stride, between border tiles and a tail of single pixels, and one of the
  // four widths puts a tile's last tap on the row's last pixel. The filter gradient sums 4 taps
  // of a filter row at a time and the row’s last k mod 4 as one tile: k = 1, 3, 5, 6, 7 and 8 take
  // every tile size, and 8 none left over.
  const cases: Array<[number, number, Pad, number, number]> = [];
  for (const k of [1, 3, 5, 6, 7, 8])
    for (const s of [1, 2])
      for (const p of ['same', 'valid', explicit] as Pad[]) {
        for (const c of [4, 12, 16, 48]) cases.push([k, s, p, c, k + 4]);
        for (const c of [12, 16])
          for (const extra of [9, 10, 11, 12]) cases.push([k, s, p, c, 4 * k + extra]);
      }

  it.each(cases)(
    'kernel %i, stride %i, pad %j, %i channels, width %i',
    async (k, stride, pad, c, w) => {
      const [n, h] = [2, k + 5];
      const xv = randomValues(n * h * w * c, 7 * k + stride + c);
      const fv = randomValues(k * k * c, 11 * k + c);
      const info = tf.backend_util.computeConv2DInfo(
        [n, h, w, c],
        [k, k, c, 1],
        stride,
        1,
        pad,
        undefined,
        true,
      );
      // the case must take the SIMD path on wasm (else this test would only test the fallback)
      expect(simdGeometry(info)).not.toBeNull();
      if (tf.getBackend() === 'wasm')
        expect(simdDepthwiseAvailable(tf.backend(), simdGeometry(info)!)).toBe(true);
      const run = () =>
        tf.tidy(() => {
          const x = tf.tensor4d(xv, [n, h, w, c]);
          const f = tf.tensor4d(fv, [k, k, c, 1]);
          const y = tf.depthwiseConv2d(x, f, stride, pad);
          const weights = tf.tensor(randomValues(y.size, 3), y.shape);
          const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(
              tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad), weights),
            ),
          )([x, f]);
          return [y.dataSync().slice(), dx!.dataSync().slice(), df!.dataSync().slice()];
        });
      const { wasm, cpu } = await onWasmAndCpu(run);
      expectClose(wasm[0]!, cpu[0]!, 1e-5, 'y');
      expectClose(wasm[1]!, cpu[1]!, 1e-5, 'dx');
      expectClose(wasm[2]!, cpu[2]!, 1e-5, 'dW');
    },
  );

  it('shapes outside the SIMD path (multiplier 2, 3 channels) run the stock kernel and equal cpu', async () => {
    // multiplier 2 and 3 channels are outside the SIMD path: the stock/composite kernels run
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(randomValues(2 * 9 * 9 * 3, 1), [2, 9, 9, 3]);
        const f = tf.tensor4d(randomValues(3 * 3 * 3 * 2, 2), [3, 3, 3, 2]);
        return tf.depthwiseConv2d(x, f, 1, 'same').dataSync().slice();
      });
    const { wasm, cpu } = await onWasmAndCpu(run);
    expectClose(wasm, cpu, 1e-5, 'y (stock path)');
  });
});
