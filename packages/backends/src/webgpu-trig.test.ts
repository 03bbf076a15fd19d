/**
 * tf.sin and tf.cos agree with the float64 values to float32 precision on every backend — the
 * minimal reproduction of issue 7: tfjs-backend-webgpu's own kernels (WGSL builtins) were off by
 * up to 1.9e-4 on SwiftShader (e.g. sin(1.4026239)), which moved whole-network gradients by up to
 * 8e-2 (models/cross-backend-training-step). On webgpu the setup selected the backend through
 * selectBackend, which installs gcnn's kernels (webgpu-trig.ts). webgl keeps the builtins (1.9e-4
 * on SwiftShader) and passes only because SwiftShader's WebGL reports float16 precision there.
 */

import { testBackend, tolerance } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

const backend = testBackend();

/** Arguments: a dense grid over SIREN-like ranges, the worst cases of the builtins, kπ/4 ± ε. */
function argumentsToCheck(): Float32Array {
  const grid = Array.from({ length: 20001 }, (_, i) => -100 + i * 0.01);
  const worst = [1.4026239, 4.544, -26.5332, 86.22601, -0.83486, 0.5, 1e-3, 0];
  const quarters = Array.from({ length: 81 }, (_, k) => ((k - 40) * Math.PI) / 4).flatMap((q) => [
    q,
    q + 1e-4,
    q - 1e-4,
  ]);
  const large = [1000.5, -4096.25, 8191.9];
  return Float32Array.from([...grid, ...worst, ...quarters, ...large]);
}

describe(`tf.sin / tf.cos accuracy on ${backend}`, () => {
  for (const [name, op, exact] of [
    ['sin', tf.sin, Math.sin],
    ['cos', tf.cos, Math.cos],
  ] as const) {
    it(`${name} is within float32 round-off of the float64 value`, async () => {
      const x = argumentsToCheck();
      const t = tf.tensor1d(x);
      const y = op(t);
      const values = await y.data();
      tf.dispose([t, y]);
      let worst = 0;
      let at = 0;
      for (let i = 0; i < x.length; i++) {
        const e = Math.abs(values[i]! - exact(x[i]!));
        if (e > worst) {
          worst = e;
          at = x[i]!;
        }
      }
      expect(worst, `max |${name}(x) − exact| at x = ${at}`).toBeLessThanOrEqual(
        tolerance('exact'),
      );
    });
  }

  it('NaN in, NaN out', async () => {
    const t = tf.tensor1d([Number.NaN]);
    const s = tf.sin(t);
    const c = tf.cos(t);
    const [sv, cv] = [await s.data(), await c.data()];
    tf.dispose([t, s, c]);
    expect(Number.isNaN(sv[0]!) && Number.isNaN(cv[0]!)).toBe(true);
  });
});
