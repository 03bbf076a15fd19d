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

describe('all parameters in one step (flat state)', () => {
  const shapes = [[2, 3], [4], [1, 2, 2]] as const;
  const make = () => [
    () => new Adam({ weightDecay: 0.01 }),
    () => new SGD({ momentum: 0.9, nesterov: true, weightDecay: 0.05 }),
    () => new SGD({ momentum: 0.5 }),
    () => new SGD(),
    () => new Adadelta({ weightDecay: 0.01 }),
  ];
  /** A variable of `shape` with seeded values. */
  const param = (shape: readonly number[], seed: number) => {
    const t = tf.tensor(values(shape, seed), [...shape]);
    const v = tf.variable(t);
    t.dispose();
    return v;
  };
  /** Seeded values in [−1, 1) for `shape`. */
  const values = (shape: readonly number[], seed: number) => {
    let a = seed;
    return Array.from({ length: shape.reduce((x, y) => x * y, 1) }, () => {
      a = (a * 16807) % 2147483647;
      return (2 * a) / 2147483647 - 1;
    });
  };

  it('equals one optimizer per parameter, bit for bit, also when a parameter skips a step', async () => {
    const before = tf.memory().numTensors;
    for (const create of make()) {
      const together = create();
      const alone = shapes.map(() => create());
      const pa = shapes.map((s, i) => param(s, 10 + i));
      const pb = shapes.map((s, i) => param(s, 10 + i));
      for (let step = 0; step < 4; step++) {
        // parameter 1 has no gradient in step 2 (its slots must stay as they were)
        const present = shapes.map((_, i) => !(step === 2 && i === 1));
        const grads = shapes.map((s, i) => tf.tensor(values(s, 100 * step + i + 1), [...s]));
        const named = Object.fromEntries(
          grads.flatMap((g, i) => (present[i] ? [[`p${i}`, g]] : [])),
        );
        together.apply(
          pa.map((p, i) => [`p${i}`, p] as const),
          named,
          0.1,
        );
        // the step count is shared by all parameters: a skipped parameter's optimizer steps too
        alone.forEach((opt, i) => {
          opt.apply([[`p${i}`, pb[i]!]], present[i] ? { [`p${i}`]: grads[i]! } : {}, 0.1);
        });
        tf.dispose(grads);
      }
      for (let i = 0; i < shapes.length; i++) {
        expect(Array.from(await pa[i]!.data()), `${together.name} p${i}`).toEqual(
          Array.from(await pb[i]!.data()),
        );
      }
      // the per-parameter slots of the checkpoints: same keys, shapes and values
      const ours = together.slots();
      const theirs = alone.flatMap((o) => o.slots());
      expect(ours.map(([k, t]) => [k, t.shape])).toEqual(
        theirs.map(([k, t]) => [k, t.shape]).sort(([a], [b]) => (a! < b! ? -1 : 1)),
      );
      for (const [key, t] of ours) {
        const other = theirs.find(([k]) => k === key)![1];
        expect(Array.from(await t.data()), key).toEqual(Array.from(await other.data()));
      }
      tf.dispose([...pa, ...pb]);
      together.dispose();
      for (const o of alone) o.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('restores per-parameter slots into the flat state: continuing equals an uninterrupted run', async () => {
    const before = tf.memory().numTensors;
    const run = async (interrupt: boolean) => {
      let opt = new Adam({ weightDecay: 0.01 });
      const ps = shapes.map((s, i) => param(s, 20 + i));
      const params = ps.map((p, i) => [`p${i}`, p] as const);
      for (let step = 0; step < 3; step++) {
        if (interrupt && step === 2) {
          const state = opt.getState();
          const slots = Object.fromEntries(opt.slots().map(([k, t]) => [k, t.clone()]));
          opt.dispose();
          opt = new Adam({ weightDecay: 0.01 });
          opt.setState(state, slots);
          tf.dispose(Object.values(slots));
        }
        const grads = shapes.map((s, i) => tf.tensor(values(s, 7 * step + i + 3), [...s]));
        opt.apply(params, Object.fromEntries(grads.map((g, i) => [`p${i}`, g])), 0.05);
        tf.dispose(grads);
      }
      const out = await Promise.all(ps.map((p) => p.data()));
      tf.dispose(ps);
      opt.dispose();
      return out.map((d) => Array.from(d));
    };
    expect(await run(true)).toEqual(await run(false));
    expect(tf.memory().numTensors).toBe(before);
  });
});
