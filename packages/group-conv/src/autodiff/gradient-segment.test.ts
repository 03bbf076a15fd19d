/**
 * gradientSegment on its own: its gradients are autodiff's, it holds no tensor once a backward
 * pass ends (its gradient walked or not), and a `lean` segment runs no kernel autodiff would not:
 * the activations it keeps change owner rather than being copied.
 */
import { relativeL2, tolerance } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradientSegment, type SegmentMemory } from './gradient-segment';

let w1: tf.Variable;
let w2: tf.Variable;
/** Upstream of the segment: its gradient flows back through the segment's input. */
let v: tf.Variable;
let u: tf.Variable;
let x0: tf.Tensor2D;
beforeAll(() => {
  w1 = tf.variable(tf.tensor2d([0.3, -0.2, 0.5, 0.1, -0.4, 0.7], [2, 3]), true, 'seg_w1');
  w2 = tf.variable(tf.tensor2d([0.6, -0.1, 0.2, 0.9, -0.5, 0.3], [3, 2]), true, 'seg_w2');
  v = tf.variable(tf.tensor2d([1.5, -0.5], [1, 2]), true, 'seg_v');
  u = tf.variable(tf.scalar(0.8), true, 'seg_u');
  x0 = tf.tensor2d([0.2, 1.1, -0.7, 0.4, 0.9, -1.3, 0.05, 0.6], [4, 2]);
});
afterAll(() => tf.dispose([w1, w2, v, u, x0]));

/** `[4, 2]` → `[4, 2]`: `sin(x·W1)·W2`, several activations saved for the gradient. */
function body(x: tf.Tensor2D) {
  return { y: tf.matMul(tf.sin(tf.matMul(x, w1)), w2) as tf.Tensor2D, aux: {} };
}

type Memory = SegmentMemory | 'autodiff';

function forward(memory: Memory): tf.Tensor2D {
  const x = tf.mul(x0, v) as tf.Tensor2D;
  if (memory === 'autodiff') return body(x).y;
  return gradientSegment(body, x, { memory, variables: [w1, w2] }).y;
}

/** The loss `Σ y² + u²` and its gradients with respect to `vars`. */
function step(memory: Memory, vars: tf.Variable[]) {
  return tf.variableGrads(
    () => tf.add(tf.sum(tf.square(forward(memory))), tf.square(u)) as tf.Scalar,
    vars,
  );
}

describe('gradientSegment', () => {
  for (const memory of ['lean', 'checkpoint'] as const) {
    it(`${memory}: the loss and gradients of autodiff, nothing left behind`, async () => {
      const before = tf.memory().numTensors;
      const vars = [w1, w2, v, u];
      const here = step(memory, vars);
      const reference = step('autodiff', vars);
      expect(await here.value.data()).toEqual(await reference.value.data());
      for (const w of vars) {
        const name = w.name;
        expect(
          await relativeL2(
            (await here.grads[name]!.data()) as Float32Array,
            (await reference.grads[name]!.data()) as Float32Array,
          ),
          name,
        ).toBeLessThanOrEqual(tolerance('exact'));
      }
      tf.dispose([here.value, reference.value, ...Object.values(here.grads)]);
      tf.dispose(Object.values(reference.grads));
      expect(tf.memory().numTensors).toBe(before);
    });

    it(`${memory}: a segment off the gradient's path keeps nothing`, () => {
      const before = tf.memory().numTensors;
      // Only u is differentiated: the engine never walks the segment, and must free what it kept.
      const { value, grads } = step(memory, [u]);
      expect(Object.keys(grads)).toEqual([u.name]);
      tf.dispose([value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('lean runs the kernels autodiff runs, no copies of what it keeps', async () => {
    const kernels = async (memory: Memory) => {
      const info = await tf.profile(() => {
        const { value, grads } = step(memory, [w1, w2, v]);
        tf.dispose([value, ...Object.values(grads)]);
      });
      const names = info.kernels.map((k) => k.name).filter((n) => tf.getKernel(n, tf.getBackend()));
      return names.sort();
    };
    expect(await kernels('lean')).toEqual(await kernels('autodiff'));
  });
});
