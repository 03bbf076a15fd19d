import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { isWasmProject, randomValues } from './parity.test-helpers';
import { registerWasmTrainingKernels } from './register';

/** 3 Adam steps of conv 7×7 → depthwise 7×7 → maxPool 2×2 → dense; returns the losses. */
function trainThreeSteps(): number[] {
  const [n, h, w, cin, c, classes] = [3, 12, 12, 2, 4, 3];
  const [x, labels, conv, dw, dense, bias] = tf.tidy(() => [
    tf.tensor4d(randomValues(n * h * w * cin, 91), [n, h, w, cin]),
    tf.oneHot(tf.tensor1d([0, 2, 1], 'int32'), classes),
    tf.variable(tf.mul(tf.tensor4d(randomValues(49 * cin * c, 92), [7, 7, cin, c]), 0.2)),
    tf.variable(tf.mul(tf.tensor4d(randomValues(49 * c, 93), [7, 7, c, 1]), 0.2)),
    tf.variable(tf.mul(tf.tensor2d(randomValues(36 * c * classes, 94), [36 * c, classes]), 0.1)),
    tf.variable(tf.zeros([classes])),
  ]) as [tf.Tensor4D, tf.Tensor, tf.Variable, tf.Variable, tf.Variable, tf.Variable];
  const optimizer = tf.train.adam(0.01);
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) {
    const loss = optimizer.minimize(() => {
      const a = tf.relu(tf.conv2d(x, conv as tf.Tensor4D, 1, 'same'));
      const b = tf.depthwiseConv2d(a, dw as tf.Tensor4D, 1, 'same');
      const p = tf.maxPool(b, 2, 2, 'valid');
      const logits = tf.add(tf.matMul(tf.reshape(p, [n, 36 * c]), dense), bias);
      return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
    }, true);
    losses.push(loss!.dataSync()[0]!);
    loss!.dispose();
  }
  optimizer.dispose();
  tf.dispose([x, labels, conv, dw, dense, bias]);
  return losses;
}

// wasm-only: trains on wasm and compares with cpu (see register.test.ts for the cpu project).
describe.skipIf(!isWasmProject())('a small conv net trains on wasm as on cpu', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  it('3 Adam steps give the cpu losses (rel. diff ≤ 1e-5)', async () => {
    const before = tf.backend().numDataIds();
    const wasm = trainThreeSteps();
    expect(tf.backend().numDataIds(), 'wasm data ids leaked').toBe(before);
    await tf.setBackend('cpu');
    const cpu = trainThreeSteps();
    await tf.setBackend('wasm');
    expect(cpu[2]!).toBeLessThan(cpu[0]!);
    for (let i = 0; i < 3; i++)
      expect(
        Math.abs(wasm[i]! - cpu[i]!) / Math.abs(cpu[i]!),
        `step ${i}: ${wasm} vs ${cpu}`,
      ).toBeLessThanOrEqual(1e-5);
  });
});
