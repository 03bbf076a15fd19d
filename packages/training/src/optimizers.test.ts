import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Adadelta } from './adadelta';
import { Adam } from './adam';
import type { Optimizer } from './optimizer';
import { SGD } from './sgd';

/** A variable holding `values` (the initial tensor is disposed: tf.variable copies its reference). */
function variable(values: number[]): tf.Variable {
  const t = tf.tensor1d(values);
  const v = tf.variable(t);
  t.dispose();
  return v;
}

/** Runs `steps` updates of one parameter with the given gradients; returns the parameter after each. */
async function run(
  opt: Optimizer,
  init: number[],
  grads: number[][],
  lrs: number[],
): Promise<number[][]> {
  const p = variable(init);
  const out: number[][] = [];
  for (const [i, g] of grads.entries()) {
    const gt = tf.tensor1d(g);
    opt.apply([['w', p]], { w: gt }, lrs[i] as number);
    gt.dispose();
    out.push(Array.from(await p.data()));
  }
  p.dispose();
  opt.dispose();
  return out;
}

/** Element-wise closeness of two matrices (5 decimals). */
function expectClose(got: number[][], expected: number[][]): void {
  for (const [t, row] of got.entries()) {
    for (const [i, x] of row.entries()) expect(x).toBeCloseTo(expected[t]?.[i] as number, 5);
  }
}

const G = [
  [0.5, -1.0, 2.0],
  [0.1, 0.3, -0.7],
  [-0.4, 0.2, 0.05],
];
const P0 = [1.0, -2.0, 0.5];

describe('optimizers match PyTorch update formulas (hand-computed in float64)', () => {
  it('Adam with L2 weight decay (torch.optim.Adam, amsgrad off)', async () => {
    const [b1, b2, eps, wd, lr] = [0.9, 0.999, 1e-8, 0.01, 0.1];
    const expected: number[][] = [];
    const p = [...P0];
    const m = [0, 0, 0];
    const v = [0, 0, 0];
    G.forEach((g, t0) => {
      const t = t0 + 1;
      for (let i = 0; i < 3; i++) {
        const gi = (g[i] as number) + wd * (p[i] as number);
        m[i] = b1 * (m[i] as number) + (1 - b1) * gi;
        v[i] = b2 * (v[i] as number) + (1 - b2) * gi * gi;
        const denom = Math.sqrt(v[i] as number) / Math.sqrt(1 - b2 ** t) + eps;
        p[i] = (p[i] as number) - (lr / (1 - b1 ** t)) * ((m[i] as number) / denom);
      }
      expected.push([...p]);
    });
    const got = await run(new Adam({ weightDecay: wd }), P0, G, [lr, lr, lr]);
    expectClose(got, expected);
    // First Adam step moves every coordinate by ≈ lr·sign(g): a sanity anchor.
    expect(Math.abs((got[0]?.[0] as number) - (P0[0] as number))).toBeCloseTo(lr, 4);
  });

  it('SGD plain, with momentum, and Nesterov (dampening 0, buffer = g on the first step)', async () => {
    for (const [momentum, nesterov] of [
      [0, false],
      [0.9, false],
      [0.9, true],
    ] as const) {
      const [wd, lr] = [0.05, 0.1];
      const p = [...P0];
      const buf: number[] = [];
      const expected: number[][] = [];
      G.forEach((g, t) => {
        for (let i = 0; i < 3; i++) {
          let d = (g[i] as number) + wd * (p[i] as number);
          if (momentum !== 0) {
            buf[i] = t === 0 ? d : momentum * (buf[i] as number) + d;
            d = nesterov ? d + momentum * (buf[i] as number) : (buf[i] as number);
          }
          p[i] = (p[i] as number) - lr * d;
        }
        expected.push([...p]);
      });
      const got = await run(new SGD({ momentum, nesterov, weightDecay: wd }), P0, G, [lr, lr, lr]);
      expectClose(got, expected);
    }
  });

  it('Adadelta (rho 0.9, eps 1e-6) with weight decay and a changing learning rate', async () => {
    const [rho, eps, wd] = [0.9, 1e-6, 0.01];
    const lrs = [1.0, 0.5, 0.25];
    const p = [...P0];
    const s = [0, 0, 0];
    const u = [0, 0, 0];
    const expected: number[][] = [];
    G.forEach((g, t) => {
      for (let i = 0; i < 3; i++) {
        const gi = (g[i] as number) + wd * (p[i] as number);
        s[i] = rho * (s[i] as number) + (1 - rho) * gi * gi;
        const delta = (Math.sqrt((u[i] as number) + eps) / Math.sqrt((s[i] as number) + eps)) * gi;
        u[i] = rho * (u[i] as number) + (1 - rho) * delta * delta;
        p[i] = (p[i] as number) - (lrs[t] as number) * delta;
      }
      expected.push([...p]);
    });
    const got = await run(new Adadelta({ weightDecay: wd }), P0, G, lrs);
    expectClose(got, expected);
  });

  it('state (step, slots) restores exactly: continuing equals an uninterrupted run', async () => {
    const straight = await run(new Adam({ weightDecay: 0.01 }), P0, G, [0.1, 0.1, 0.1]);
    const a = new Adam({ weightDecay: 0.01 });
    const p = variable(P0);
    const g0 = tf.tensor1d(G[0] as number[]);
    a.apply([['w', p]], { w: g0 }, 0.1);
    const state = a.getState();
    const slots = Object.fromEntries(a.slots().map(([k, v]) => [k, v.clone()]));
    expect(Object.keys(slots)).toEqual(['exp_avg/w', 'exp_avg_sq/w']);
    a.dispose();
    const b = new Adam({ weightDecay: 0.01 });
    b.setState(state, slots);
    tf.dispose(Object.values(slots));
    for (const g of G.slice(1)) {
      const gt = tf.tensor1d(g);
      b.apply([['w', p]], { w: gt }, 0.1);
      gt.dispose();
    }
    expect(b.step).toBe(3);
    expect(Array.from(await p.data())).toEqual(straight[2]);
    tf.dispose([p, g0]);
    b.dispose();
  });

  it('rejects bad hyperparameters and mismatched gradients, naming them', () => {
    expect(() => new Adam({ beta1: 1 })).toThrow(/beta1 must be in \[0, 1\)/);
    expect(() => new SGD({ nesterov: true })).toThrow(/nesterov needs momentum > 0/);
    const o = new SGD();
    const p = variable([0, 0]);
    const g = tf.zeros([3]);
    expect(() => o.apply([['w', p]], { w: g }, 0.1)).toThrow(
      /gradient of 'w' has shape \[3\], parameter \[2\]/,
    );
    expect(() => o.apply([['w', p]], {}, Number.NaN)).toThrow(/lr must be a finite number/);
    tf.dispose([p, g]);
    o.dispose();
  });
});
