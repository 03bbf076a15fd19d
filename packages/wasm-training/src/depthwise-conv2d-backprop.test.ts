import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, it } from 'vitest';
import {
  expectClose,
  isWasmProject,
  onWasmAndCpu,
  randomValues,
  seeded,
} from './parity.test-helpers';
import { registerWasmTrainingKernels } from './register';

// wasm-only: compares the wasm kernels with cpu (see register.test.ts for the cpu project).
describe.skipIf(!isWasmProject())('depthwiseConv2d gradients on wasm equal cpu', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  const cases: Array<[number, number, 'same' | 'valid', number]> = [];
  for (const k of [1, 3, 7])
    for (const s of [1, 2])
      for (const p of ['same', 'valid'] as const) for (const m of [1, 2]) cases.push([k, s, p, m]);

  it.each(cases)(
    'kernel %i, stride %i, pad %s, multiplier %i (2 seeded shapes)',
    async (k, stride, pad, m) => {
      for (let trial = 0; trial < 2; trial++) {
        const r = seeded(977 * k + 31 * stride + 5 * m + trial + (pad === 'same' ? 3 : 0));
        const n = 1 + Math.floor(r(0, 3));
        const h = k + Math.floor(r(0, 6));
        const w = k + Math.floor(r(0, 6));
        const c = 1 + Math.floor(r(0, 4));
        const xv = randomValues(n * h * w * c, trial + 41);
        const fv = randomValues(k * k * c * m, trial + 42);
        const run = () =>
          tf.tidy(() => {
            const x = tf.tensor4d(xv, [n, h, w, c]);
            const f = tf.tensor4d(fv, [k, k, c, m]);
            const y = tf.depthwiseConv2d(x, f, stride, pad);
            const weights = tf.tensor(randomValues(y.size, trial + 43), y.shape);
            const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
              tf.sum(
                tf.mul(
                  tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad),
                  weights,
                ),
              ),
            )([x, f]);
            return [dx!.dataSync().slice(), df!.dataSync().slice()];
          });
        const { wasm, cpu } = await onWasmAndCpu(run);
        const at = `[${n},${h},${w},${c}]×${m}`;
        expectClose(wasm[0]!, cpu[0]!, 1e-5, `dx ${at}`);
        expectClose(wasm[1]!, cpu[1]!, 1e-5, `dW ${at}`);
      }
    },
  );

  it.each([
    [3, 'same'],
    [3, 'valid'],
    [7, 'same'],
  ] as const)(
    'dilation 2 kernels (kernel %i, pad %s) equal cpu on the zero-inserted filter',
    async (k, pad) => {
      // tf.depthwiseConv2d has no gradient for dilation > 1 in tfjs-core 4.22, and the cpu backprop
      // kernels ignore their dilations attribute. Reference: a dilated k×k filter is an undilated
      // (2k−1)×(2k−1) filter with zeros between taps (cpu kernels with dilation 1, subsampled).
      const [n, h, w, c, m, d] = [2, 17, 15, 3, 2, 2];
      const ke = (k - 1) * d + 1;
      const xv = randomValues(n * h * w * c, 51);
      const fv = randomValues(k * k * c * m, 52);
      const info = tf.backend_util.computeConv2DInfo(
        [n, h, w, c],
        [k, k, c, m],
        1,
        d,
        pad,
        undefined,
        true,
      );
      const dyShape = [n, info.outHeight, info.outWidth, c * m];
      const dyv = randomValues(
        dyShape.reduce((a, b) => a * b),
        53,
      );
      const kernels = (dilated: boolean) =>
        tf.tidy(() => {
          const x = tf.tensor4d(xv, [n, h, w, c]);
          const dy = tf.tensor(dyv, dyShape);
          let f = tf.tensor4d(fv, [k, k, c, m]);
          if (!dilated) {
            const fe = tf.reshape(
              tf.pad(tf.reshape(f, [k, 1, k, 1, c, m]), [
                [0, 0],
                [0, d - 1],
                [0, 0],
                [0, d - 1],
                [0, 0],
                [0, 0],
              ]),
              [k * d, k * d, c, m],
            );
            f = tf.slice(fe, [0, 0, 0, 0], [ke, ke, c, m]) as tf.Tensor4D;
          }
          const attrs = { strides: [1, 1], dilations: dilated ? [d, d] : [1, 1], pad };
          let df = tf.engine().runKernel(
            'DepthwiseConv2dNativeBackpropFilter',
            { x, dy },
            {
              ...attrs,
              filterShape: f.shape,
            },
          ) as tf.Tensor;
          if (!dilated) df = tf.stridedSlice(df, [0, 0, 0, 0], [ke, ke, c, m], [d, d, 1, 1]);
          const dx = tf.engine().runKernel(
            'DepthwiseConv2dNativeBackpropInput',
            { dy, filter: f },
            {
              ...attrs,
              inputShape: [n, h, w, c],
            },
          ) as tf.Tensor;
          return [df.dataSync().slice(), dx.dataSync().slice()];
        });
      const wasm = kernels(true);
      await tf.setBackend('cpu');
      const cpu = kernels(false);
      await tf.setBackend('wasm');
      expectClose(wasm[0]!, cpu[0]!, 1e-5, 'dW dilation 2');
      expectClose(wasm[1]!, cpu[1]!, 1e-5, 'dx dilation 2');
    },
  );
});
