import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  expectClose,
  isWasmProject,
  onWasmAndCpu,
  randomValues,
  seeded,
} from './parity.test-helpers';
import { registerWasmTrainingKernels } from './register';
import { singleChannelConvApplies } from './single-channel-conv';

// wasm-only: these compare the wasm kernels with cpu; the cpu project has nothing to compare
// (register.test.ts checks there that registering is harmless).
describe.skipIf(!isWasmProject())('conv2d gradients on wasm equal cpu', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  const cases: Array<[number, number, 'same' | 'valid']> = [];
  for (const k of [1, 3, 7])
    for (const s of [1, 2]) for (const p of ['same', 'valid'] as const) cases.push([k, s, p]);

  it.each(cases)('kernel %i, stride %i, pad %s (3 seeded shapes)', async (k, stride, pad) => {
    for (let trial = 0; trial < 3; trial++) {
      const r = seeded(1000 * k + 100 * stride + trial + (pad === 'same' ? 7 : 0));
      const n = 1 + Math.floor(r(0, 3));
      const h = k + Math.floor(r(0, 6));
      const w = k + Math.floor(r(0, 6));
      const cin = 1 + Math.floor(r(0, 4));
      const cout = 1 + Math.floor(r(0, 4));
      const xv = randomValues(n * h * w * cin, trial + 1);
      const fv = randomValues(k * k * cin * cout, trial + 2);
      const run = () =>
        tf.tidy(() => {
          const x = tf.tensor4d(xv, [n, h, w, cin]);
          const f = tf.tensor4d(fv, [k, k, cin, cout]);
          const y = tf.conv2d(x, f, stride, pad);
          const weights = tf.tensor(randomValues(y.size, trial + 3), y.shape);
          const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad), weights)),
          )([x, f]);
          return [dx!.dataSync().slice(), df!.dataSync().slice()];
        });
      const { wasm, cpu } = await onWasmAndCpu(run);
      const at = `[${n},${h},${w},${cin}]→${cout}`;
      expectClose(wasm[0]!, cpu[0]!, 1e-5, `dx ${at}`);
      expectClose(wasm[1]!, cpu[1]!, 1e-5, `dW ${at}`);
    }
  });

  it('explicit padding and dimRoundingMode kernels equal cpu', async () => {
    const [n, h, w, cin, cout, k] = [2, 9, 8, 3, 2, 3];
    const xv = randomValues(n * h * w * cin, 11);
    const pad: tf.backend_util.ExplicitPadding = [
      [0, 0],
      [2, 0],
      [1, 3],
      [0, 0],
    ];
    const info = tf.backend_util.computeConv2DInfo([n, h, w, cin], [k, k, cin, cout], 2, 1, pad);
    const dyv = randomValues(n * info.outHeight * info.outWidth * cout, 12);
    const fv = randomValues(k * k * cin * cout, 13);
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(xv, [n, h, w, cin]);
        const dy = tf.tensor4d(dyv, [n, info.outHeight, info.outWidth, cout]);
        const f = tf.tensor4d(fv, [k, k, cin, cout]);
        const attrs = { strides: 2, pad, dataFormat: 'NHWC' };
        const df = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
          ...attrs,
          filterShape: [k, k, cin, cout],
        } as unknown as tf.NamedAttrMap) as tf.Tensor;
        const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: f }, {
          ...attrs,
          inputShape: [n, h, w, cin],
        } as unknown as tf.NamedAttrMap) as tf.Tensor;
        return [df.dataSync().slice(), dx.dataSync().slice()];
      });
    const { wasm, cpu } = await onWasmAndCpu(run);
    expectClose(wasm[0]!, cpu[0]!, 1e-5, 'dW explicit pad');
    expectClose(wasm[1]!, cpu[1]!, 1e-5, 'dx explicit pad');
  });

  it('dilation 2: filter and input gradients equal cpu on the zero-inserted filter', async () => {
    // tfjs-core 4.22 has no gradient for dilated conv2d and its backprop kernels take no
    // dilations attribute; ours accept one. Reference: a dilated k×k filter is an undilated
    // (2k−1)×(2k−1) filter with zeros between taps.
    const [n, h, w, cin, cout, k, d] = [2, 11, 10, 2, 3, 3, 2];
    const ke = (k - 1) * d + 1;
    const xv = randomValues(n * h * w * cin, 21);
    const fv = randomValues(k * k * cin * cout, 22);
    const info = tf.backend_util.computeConv2DInfo([n, h, w, cin], [k, k, cin, cout], 1, d, 'same');
    const dyv = randomValues(n * info.outHeight * info.outWidth * cout, 23);
    const dyShape: [number, number, number, number] = [n, info.outHeight, info.outWidth, cout];
    const wasm = tf.tidy(() => {
      const x = tf.tensor4d(xv, [n, h, w, cin]);
      const dy = tf.tensor4d(dyv, dyShape);
      const f = tf.tensor4d(fv, [k, k, cin, cout]);
      const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: d };
      const df = tf.engine().runKernel(
        'Conv2DBackpropFilter',
        { x, dy },
        {
          ...attrs,
          filterShape: [k, k, cin, cout],
        },
      ) as tf.Tensor;
      const dx = tf.engine().runKernel(
        'Conv2DBackpropInput',
        { dy, filter: f },
        {
          ...attrs,
          inputShape: [n, h, w, cin],
        },
      ) as tf.Tensor;
      return [df.dataSync().slice(), dx.dataSync().slice()];
    });
    await tf.setBackend('cpu');
    const cpu = tf.tidy(() => {
      const x = tf.tensor4d(xv, [n, h, w, cin]);
      const dy = tf.tensor4d(dyv, dyShape);
      const f = tf.tensor4d(fv, [k, k, cin, cout]);
      const fe = tf.reshape(
        tf.pad(tf.reshape(f, [k, 1, k, 1, cin, cout]), [
          [0, 0],
          [0, d - 1],
          [0, 0],
          [0, d - 1],
          [0, 0],
          [0, 0],
        ]),
        [k * d, k * d, cin, cout],
      );
      const fz = tf.slice(fe, [0, 0, 0, 0], [ke, ke, cin, cout]) as tf.Tensor4D;
      const dfe = tf
        .engine()
        .runKernel(
          'Conv2DBackpropFilter',
          { x, dy },
          { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [ke, ke, cin, cout] },
        ) as tf.Tensor4D;
      const df = tf.stridedSlice(dfe, [0, 0, 0, 0], [ke, ke, cin, cout], [d, d, 1, 1]);
      const dx = tf.conv2dTranspose(dy, fz, [n, h, w, cin], 1, 'same');
      return [df.dataSync().slice(), dx.dataSync().slice()];
    });
    await tf.setBackend('wasm');
    expectClose(wasm[0]!, cpu[0]!, 1e-5, 'dW dilation 2');
    expectClose(wasm[1]!, cpu[1]!, 1e-5, 'dx dilation 2');
  });

  it('fused conv2d (bias + relu) gradients equal cpu', async () => {
    const [n, h, w, cin, cout, k] = [2, 7, 9, 3, 4, 3];
    const xv = randomValues(n * h * w * cin, 31);
    const fv = randomValues(k * k * cin * cout, 32);
    const bv = randomValues(cout, 33);
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(xv, [n, h, w, cin]);
        const f = tf.tensor4d(fv, [k, k, cin, cout]);
        const b = tf.tensor1d(bv);
        const g = tf.grads((a: tf.Tensor, fl: tf.Tensor, bias: tf.Tensor) =>
          tf.sum(
            tf.fused.conv2d({
              x: a as tf.Tensor4D,
              filter: fl as tf.Tensor4D,
              strides: 2,
              pad: 'same',
              bias,
              activation: 'relu',
            }),
          ),
        )([x, f, b]);
        return g.map((t) => t.dataSync().slice());
      });
    const { wasm, cpu } = await onWasmAndCpu(run);
    for (let i = 0; i < 3; i++) expectClose(wasm[i]!, cpu[i]!, 1e-5, `fused grad ${i}`);
  });

  // One input channel (lifting layers on grey images) takes SIMD kernels (forward and filter
  // gradient) when Cout % 4 = 0 and the filter is at most 7 wide; other shapes fall back.
  const explicitPad: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [2, 0],
    [1, 3],
    [0, 0],
  ];
  const single: Array<[number, number, 'same' | 'valid' | 'explicit', number, boolean]> = [];
  for (const k of [1, 3, 5, 7])
    for (const stride of [1, 2])
      for (const pad of ['same', 'valid', 'explicit'] as const)
        for (const cout of [4, 24]) single.push([k, stride, pad, cout, true]);
  single.push([5, 1, 'same', 6, false], [9, 1, 'same', 8, false]);
  it.each(single)(
    'one input channel: kernel %i, stride %i, pad %s, %i outputs (SIMD: %s)',
    async (k, stride, padName, cout, simd) => {
      const pad = padName === 'explicit' ? explicitPad : padName;
      const [n, h, w] = [3, k + 6, k + 5];
      const info = tf.backend_util.computeConv2DInfo([n, h, w, 1], [k, k, 1, cout], stride, 1, pad);
      expect(singleChannelConvApplies(tf.backend(), info)).toBe(simd);
      const xv = randomValues(n * h * w, 41 + k);
      const fv = randomValues(k * k * cout, 43 + k);
      const dyv = randomValues(n * info.outHeight * info.outWidth * cout, 42 + k);
      const run = () =>
        tf.tidy(() => {
          const x = tf.tensor4d(xv, [n, h, w, 1]);
          const f = tf.tensor4d(fv, [k, k, 1, cout]);
          const dy = tf.tensor4d(dyv, [n, info.outHeight, info.outWidth, cout]);
          const y = tf.conv2d(x, f, stride, pad);
          const df = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
            strides: stride,
            pad,
            dataFormat: 'NHWC',
            filterShape: [k, k, 1, cout],
          } as unknown as tf.NamedAttrMap) as tf.Tensor;
          return [y.dataSync().slice(), df.dataSync().slice()];
        });
      const { wasm, cpu } = await onWasmAndCpu(run);
      expectClose(wasm[0]!, cpu[0]!, 1e-5, `y [${n},${h},${w},1]→${cout}`);
      expectClose(wasm[1]!, cpu[1]!, 1e-5, `dW [${n},${h},${w},1]→${cout}`);
    },
  );
});
