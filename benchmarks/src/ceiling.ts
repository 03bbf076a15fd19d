/**
 * The machine's ceiling for this workload: large wasm ops in one process (median of 3 after a
 * warm-up), the stock kernels, then the depthwise conv again with @gcnn/tfjs-wasm-training's SIMD
 * kernel. Prints one JSON line.
 */
import { registerWasmTrainingKernels } from '@gcnn/tfjs-wasm-training';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';

await tf.setBackend('wasm');
function time(f: () => tf.Tensor): number {
  const ts: number[] = [];
  for (let i = 0; i < 4; i++) {
    const t0 = performance.now();
    const o = f();
    o.dataSync();
    o.dispose();
    if (i > 0) ts.push(performance.now() - t0);
  }
  return ts.sort((a, b) => a - b)[1]!;
}
const x = tf.randomNormal([16, 28, 28, 64]) as tf.Tensor4D;
const w = tf.randomNormal([7, 7, 64, 64]) as tf.Tensor4D;
const dw = tf.randomNormal([7, 7, 64, 1]) as tf.Tensor4D;
const a = tf.randomNormal([12544, 256]) as tf.Tensor2D;
const b = tf.randomNormal([256, 256]) as tf.Tensor2D;
const convMs = time(() => tf.conv2d(x, w, 1, 'same'));
const convFlop = 2 * 16 * 28 * 28 * 49 * 64 * 64;
const mmMs = time(() => tf.matMul(a, b));
const mmFlop = 2 * 12544 * 256 * 256;
const dwMs = time(() => tf.depthwiseConv2d(x, dw, 1, 'same'));
const dwFlop = 2 * 16 * 28 * 28 * 49 * 64;
registerWasmTrainingKernels();
const dwSimdMs = time(() => tf.depthwiseConv2d(x, dw, 1, 'same'));
console.log(
  JSON.stringify({
    conv2d: {
      what: 'x [16,28,28,64], 7×7 64→64, same',
      ms: convMs,
      gflops: convFlop / convMs / 1e6,
    },
    matMul: { what: '[12544,256]·[256,256]', ms: mmMs, gflops: mmFlop / mmMs / 1e6 },
    depthwise: { what: 'x [16,28,28,64], 7×7', ms: dwMs, gflops: dwFlop / dwMs / 1e6 },
    depthwiseSimd: {
      what: 'the same, @gcnn/tfjs-wasm-training SIMD kernel',
      ms: dwSimdMs,
      gflops: dwFlop / dwSimdMs / 1e6,
    },
    loadavg: (await import('node:os')).loadavg()[0],
  }),
);
