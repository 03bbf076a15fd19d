/**
 * Benchmark (not a test): conv2d 7×7 64→64 and depthwiseConv2d 7×7 on x [32, 28, 28, 64],
 * 'same', stride 1, on the wasm backend: forward, filter gradient and input gradient kernels;
 * the stock depthwise forward and a row vector × matrix matMul before and after registering.
 * Run: `pnpm exec tsx bench/backprop.bench.ts` in packages/wasm-training.
 * FLOPs: 2·N·H·W·K·K·Cin·Cout per pass (padded taps included), as in research/tooling.md §5.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '../src/index';

const [N, H, W, C, K] = [32, 28, 28, 64, 7];
const convFlop = 2 * N * H * W * K * K * C * C;
const dwFlop = 2 * N * H * W * K * K * C;

async function time(name: string, flop: number, fn: () => tf.Tensor, reps = 3): Promise<void> {
  const warm = fn();
  await warm.data();
  warm.dispose();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const out = fn();
    await out.data();
    ms.push(performance.now() - t0);
    out.dispose();
  }
  ms.sort((a, b) => a - b);
  const med = ms[Math.floor(reps / 2)]!;
  console.log(
    `${name.padEnd(44)} ${med.toFixed(0).padStart(6)} ms  ${(flop / med / 1e6).toFixed(2).padStart(6)} GFLOP/s`,
  );
}

async function main(): Promise<void> {
  tf.env().set('PROD', true);
  await tf.setBackend('wasm');
  const x = tf.randomUniform([N, H, W, C]) as tf.Tensor4D;
  const f = tf.randomUniform([K, K, C, C]) as tf.Tensor4D;
  const fd = tf.randomUniform([K, K, C, 1]) as tf.Tensor4D;
  const dy = tf.randomUniform([N, H, W, C]) as tf.Tensor4D;
  const run = (name: string, inputs: tf.NamedTensorMap, attrs: object) => () =>
    tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;
  const conv = { strides: 1, pad: 'same', dataFormat: 'NHWC' };
  const dw = { strides: 1, pad: 'same', dilations: 1 };

  console.log(`wasm SIMD, threads: 1, Node ${process.version}; x [${N},${H},${W},${C}], 7×7`);
  await time(
    'stock Conv2DBackpropInput (before register)',
    convFlop,
    run('Conv2DBackpropInput', { dy, filter: f }, { ...conv, inputShape: x.shape }),
    1,
  );
  await time('stock depthwise forward (before register)', dwFlop, () =>
    tf.depthwiseConv2d(x, fd, 1, 'same'),
  );
  // The batch norms' channel sums 1ᵀ·x on a [100352, 32] view. A new x each call, as in a
  // model: XNNPACK keeps the packed right operand of the last call, so reusing one x would time
  // only the cached case.
  const ones = tf.ones([1, 100352]);
  const fresh = Array.from({ length: 8 }, () => tf.randomUniform([100352, 32]));
  const vecMatFlop = 2 * 100352 * 32;
  const vecMat = () => {
    const b = fresh.pop()!;
    const y = tf.matMul(ones, b);
    b.dispose();
    return y;
  };
  await time('stock matMul [1,100352]·[100352,32] (before)', vecMatFlop, vecMat);
  registerWasmTrainingKernels();
  await time('matMul [1,100352]·[100352,32] (BatchMatMul)', vecMatFlop, vecMat);
  await time('conv2d forward (Conv2D)', convFlop, () => tf.conv2d(x, f, 1, 'same'));
  await time(
    'conv2d filter grad (Conv2DBackpropFilter)',
    convFlop,
    run('Conv2DBackpropFilter', { x, dy }, { ...conv, filterShape: f.shape }),
  );
  await time(
    'conv2d input grad (Conv2DBackpropInput)',
    convFlop,
    run('Conv2DBackpropInput', { dy, filter: f }, { ...conv, inputShape: x.shape }),
  );
  await time('depthwise forward (DepthwiseConv2dNative)', dwFlop, () =>
    tf.depthwiseConv2d(x, fd, 1, 'same'),
  );
  await time(
    'depthwise filter grad',
    dwFlop,
    run('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...dw, filterShape: fd.shape }),
  );
  await time(
    'depthwise input grad',
    dwFlop,
    run('DepthwiseConv2dNativeBackpropInput', { dy, filter: fd }, { ...dw, inputShape: x.shape }),
  );
  await time('maxPool 2×2 s2 grad (MaxPoolGrad)', 0, () => {
    const p = tf.maxPool(x, 2, 2, 'valid');
    const g = tf
      .engine()
      .runKernel(
        'MaxPoolGrad',
        { dy: p, input: x, output: p },
        { filterSize: 2, strides: 2, pad: 'valid' },
      ) as tf.Tensor;
    p.dispose();
    return g;
  });
  unregisterWasmTrainingKernels();
  tf.dispose([x, f, fd, dy, ones]);
}

void main();
