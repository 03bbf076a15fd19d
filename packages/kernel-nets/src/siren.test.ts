import { createRng } from '@gcnn/lie-groups';
import { relativeL2, tolerance } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  disposeSiren,
  initSiren,
  type SirenConfig,
  type SirenWeights,
  siren,
  sirenParameterCount,
  sirenWeightList,
} from './siren';

const config: SirenConfig = {
  inputDim: 2,
  hiddenSize: 8,
  numHidden: 1,
  outputDim: 6,
  firstOmega0: 10,
  omega0: 10,
};

describe('siren', () => {
  it('initialises with the reference bounds, reproducibly from a seed', async () => {
    const a = initSiren(config, { rng: 3, finalFanIn: 3 * 49 });
    const b = initSiren(config, { rng: createRng(3), finalFanIn: 3 * 49 });
    const maxAbs = async (t: tf.Tensor) => Math.max(...Array.from(await t.data()).map(Math.abs));
    expect(await maxAbs(a.sine[0]!.weight)).toBeLessThanOrEqual(1 / 2);
    expect(await maxAbs(a.sine[0]!.bias)).toBeLessThanOrEqual(1 / Math.sqrt(2));
    expect(await maxAbs(a.sine[1]!.weight)).toBeLessThanOrEqual(Math.sqrt(6 / 8) / 10);
    expect(await maxAbs(a.sine[1]!.bias)).toBe(0);
    expect(await maxAbs(a.final.weight)).toBeLessThanOrEqual(Math.sqrt(6 / 8) / Math.sqrt(3 * 49));
    expect(await maxAbs(a.final.weight)).toBeGreaterThan(0);
    for (const [x, y] of sirenWeightList(a).map((w, i) => [
      w.tensor,
      sirenWeightList(b)[i]!.tensor,
    ])) {
      expect(Array.from(await x!.data())).toEqual(Array.from(await y!.data()));
    }
    disposeSiren(a);
    disposeSiren(b);
  });

  it('computes sin(ω₀′(xW₀+b₀)) → sin(ω₀(hW₁+b₁)) → hW_f+b_f', async () => {
    const w = initSiren(config, { rng: 1 });
    const [ours, expected] = tf.tidy(() => {
      const x = tf.tensor2d([
        [0.1, -0.3],
        [0.5, 0.2],
      ]);
      const h0 = tf.sin(tf.mul(tf.add(tf.matMul(x, w.sine[0]!.weight), w.sine[0]!.bias), 10));
      const h1 = tf.sin(tf.mul(tf.add(tf.matMul(h0, w.sine[1]!.weight), w.sine[1]!.bias), 10));
      return [siren(x, w, config), tf.add(tf.matMul(h1, w.final.weight), w.final.bias)];
    });
    expect(Array.from(await ours!.data())).toEqual(Array.from(await expected!.data()));
    tf.dispose([ours!, expected!]);
    disposeSiren(w);
  });

  it('counts parameters as (d+1)·h + L·(h+1)·h + (h+1)·P', () => {
    const w = initSiren(config);
    const total = sirenWeightList(w).reduce((n, { tensor }) => n + tensor.size, 0);
    expect(sirenParameterCount(config)).toBe(total);
    // The README lifting layer: 1 → 32 channels, kernel net 1×64: 6,432 (reference §5.6).
    expect(sirenParameterCount({ ...config, hiddenSize: 64, outputDim: 32 })).toBe(6432);
    disposeSiren(w);
  });

  it('gradients with respect to every weight match finite differences', async () => {
    const small: SirenConfig = {
      ...config,
      hiddenSize: 4,
      outputDim: 3,
      firstOmega0: 2,
      omega0: 2,
    };
    const w = initSiren(small, { rng: 5 });
    const x = tf.tensor2d([
      [0.2, -0.1],
      [0.4, 0.7],
      [-0.6, 0.3],
    ]);
    const list = sirenWeightList(w);
    const loss = (...ts: tf.Tensor[]) => {
      const named = new Map(list.map((entry, i) => [entry.name, ts[i]!]));
      const weights = {
        sine: w.sine.map((_, l) => ({
          weight: named.get(`sine.${l}.weight`) as tf.Tensor2D,
          bias: named.get(`sine.${l}.bias`) as tf.Tensor1D,
        })),
        final: {
          weight: named.get('final.weight') as tf.Tensor2D,
          bias: named.get('final.bias') as tf.Tensor1D,
        },
      };
      return tf.sum(tf.square(siren(x, weights, small)));
    };
    const eps = 1e-2;
    const initial = await Promise.all(list.map((e) => e.tensor.data()));
    /** Every third entry of weight i. */
    const entries = (i: number) =>
      Array.from({ length: Math.ceil(initial[i]!.length / 3) }, (_, n) => 3 * n);
    // Analytic gradients and the loss at ±eps on those entries, read in one go below.
    const { grads, plus, minus } = tf.tidy(() => {
      const at = (i: number, j: number, delta: number) => {
        const v = Array.from(initial[i]!);
        v[j]! += delta;
        const args = list.map((e, k) => (k === i ? tf.tensor(v, e.tensor.shape) : e.tensor));
        return loss(...args);
      };
      const shifted = (delta: number) =>
        list.map((_, i) => tf.stack(entries(i).map((j) => at(i, j, delta))));
      return {
        grads: tf.grads(loss)(list.map((e) => e.tensor)),
        plus: shifted(eps),
        minus: shifted(-eps),
      };
    });
    const read = (ts: tf.Tensor[]) => Promise.all(ts.map((t) => t.data()));
    const [analytic, fPlus, fMinus] = await Promise.all([read(grads), read(plus), read(minus)]);
    tf.dispose([...grads, ...plus, ...minus]);
    list.forEach((entry, i) => {
      entries(i).forEach((j, n) => {
        const fd = (fPlus[i]![n]! - fMinus[i]![n]!) / (2 * eps);
        expect(Math.abs(analytic[i]![j]! - fd), `${entry.name}[${j}]`).toBeLessThanOrEqual(
          2e-2 * (1 + Math.abs(fd)),
        );
      });
    });
    x.dispose();
    disposeSiren(w);
  });

  it('gradients equal autodiff of the layers written out (numHidden 0, 1, 2)', async () => {
    for (const numHidden of [0, 1, 2]) {
      const cfg: SirenConfig = { ...config, hiddenSize: 16, numHidden, outputDim: 24 };
      const w = initSiren(cfg, { rng: 9 });
      const list = sirenWeightList(w).map((e) => e.tensor);
      const rng = createRng(4);
      const x = tf.tensor2d(
        Float32Array.from({ length: 50 * 2 }, () => 2 * rng.next() - 1),
        [50, 2],
      );
      const dy = tf.tensor2d(
        Float32Array.from({ length: 50 * 24 }, () => 2 * rng.next() - 1),
        [50, 24],
      );
      /** The weights from a flat list `[W₀, b₀, …, W_f, b_f]`. */
      const unflatten = (ts: tf.Tensor[]): SirenWeights => ({
        sine: w.sine.map((_, l) => ({
          weight: ts[2 * l] as tf.Tensor2D,
          bias: ts[2 * l + 1] as tf.Tensor1D,
        })),
        final: { weight: ts[ts.length - 2] as tf.Tensor2D, bias: ts[ts.length - 1] as tf.Tensor1D },
      });
      const plain = (ts: tf.Tensor[]) => {
        const ws = unflatten(ts);
        let h: tf.Tensor = x;
        ws.sine.forEach((layer, l) => {
          const omega = l === 0 ? cfg.firstOmega0 : cfg.omega0;
          h = tf.sin(tf.mul(tf.add(tf.matMul(h as tf.Tensor2D, layer.weight), layer.bias), omega));
        });
        return tf.add(tf.matMul(h as tf.Tensor2D, ws.final.weight), ws.final.bias);
      };
      const loss =
        (f: (ts: tf.Tensor[]) => tf.Tensor) =>
        (...ts: tf.Tensor[]) =>
          tf.sum(tf.mul(f(ts), dy));
      const ours = tf.grads(loss((ts) => siren(x, unflatten(ts), cfg)))(list);
      const theirs = tf.grads(loss(plain))(list);
      for (let i = 0; i < list.length; i++) {
        expect(
          await relativeL2(ours[i]!, theirs[i]!),
          `numHidden ${numHidden}, weight ${i}`,
        ).toBeLessThanOrEqual(tolerance('trig'));
      }
      tf.dispose([x, dy, ...ours, ...theirs]);
      disposeSiren(w);
    }
  });

  it('outputScale multiplies the outputs inside the node: values and gradients of siren·scale', async () => {
    const w = initSiren(config, { rng: 2 });
    const list = sirenWeightList(w).map((e) => e.tensor);
    const results = tf.tidy(() => {
      const x = tf.randomUniform([12, 2], -1, 1, 'float32', 5) as tf.Tensor2D;
      const scale = tf.randomUniform([12, 1], 0, 1, 'float32', 6);
      const dy = tf.randomNormal([12, 6], 0, 1, 'float32', 7);
      const weights = (ts: tf.Tensor[]): SirenWeights => ({
        sine: w.sine.map((_, l) => ({
          weight: ts[2 * l] as tf.Tensor2D,
          bias: ts[2 * l + 1] as tf.Tensor1D,
        })),
        final: { weight: ts[ts.length - 2] as tf.Tensor2D, bias: ts[ts.length - 1] as tf.Tensor1D },
      });
      const ours = (...ts: tf.Tensor[]) => siren(x, weights(ts), config, { outputScale: scale });
      const plain = (...ts: tf.Tensor[]) => tf.mul(siren(x, weights(ts), config), scale);
      const loss =
        (f: (...ts: tf.Tensor[]) => tf.Tensor) =>
        (...ts: tf.Tensor[]) =>
          tf.sum(tf.mul(f(...ts), dy));
      return [
        ours(...list),
        plain(...list),
        ...tf.grads(loss(ours))(list),
        ...tf.grads(loss(plain))(list),
      ];
    });
    const n = list.length;
    expect(await relativeL2(results[0]!, results[1]!)).toBe(0);
    for (let i = 0; i < n; i++) {
      expect(await relativeL2(results[2 + i]!, results[2 + n + i]!)).toBeLessThanOrEqual(
        tolerance('trig'),
      );
    }
    tf.dispose(results);
    disposeSiren(w);
  });

  it('rejects bad configs and coordinates', () => {
    expect(() => initSiren({ ...config, hiddenSize: 0 })).toThrow(
      /config.hiddenSize must be a positive integer, got 0/,
    );
    expect(() => initSiren({ ...config, omega0: -1 })).toThrow(
      /config.omega0 must be a positive number/,
    );
    const w = initSiren(config);
    const x = tf.zeros([4, 3]) as tf.Tensor2D;
    expect(() => siren(x, w, config)).toThrow(/coords must be \[n, 2\], got shape \[4,3\]/);
    x.dispose();
    disposeSiren(w);
  });
});
