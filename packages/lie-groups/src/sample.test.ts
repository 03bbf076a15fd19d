import { loadFixture } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createRng, R2xRplus, Rplus, resolveGroupGrid, SE2, Sim2, SO2, SO2xRplus } from './index';

/** The values of `t` (read with `await data()`), which it disposes. */
const values = async (t: tf.Tensor) => {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
};

describe('sampling of H', () => {
  it('SO2 discretize equals the reference grid bit for bit (θ₂ = 3.1415925)', async () => {
    const fixture = loadFixture('se2_lifting');
    expect(await values(SO2.sample(4))).toEqual(
      fixture.group_elements.output.angles!.map(Math.fround),
    );
  });

  it('Rplus discretize equals the reference scales', async () => {
    const fixture = loadFixture('r2xrplus_lifting');
    expect(await values(Rplus({ maxScale: 2 }).sample(3))).toEqual(
      fixture.group_elements.output.scales!.map(Math.fround),
    );
  });

  it('SO2xRplus [R, S] is rotation-major and equals the reference elements', async () => {
    const fixture = loadFixture('sim2_gconv_nonseparable');
    const elements = await values(SO2xRplus({ maxScale: 1.74 }).sample([4, 2]));
    expect(elements).toEqual(fixture.group_elements.output.elements!.map(Math.fround));
    // element g = r·S + s is (θ_r, s_s)
    expect(elements.slice(0, 4)).toEqual([0, 1, 0, Math.fround(1.74)]);
  });

  it('an integer count means n rotations × n scales for SO2xRplus (reference)', () => {
    const g = SO2xRplus({ maxScale: 1.74 });
    expect(resolveGroupGrid(g, 3).size).toBe(9);
    expect(resolveGroupGrid(g, [16, 3]).size).toBe(48);
    const t = g.sample(3);
    expect(t.shape).toEqual([9, 2]);
    t.dispose();
  });

  it('uniform is one seeded random rotation of the grid, reproducible', async () => {
    const a = await values(SO2.sample(8, { method: 'uniform', rng: createRng(7) }));
    const b = await values(SO2.sample(8, { method: 'uniform', rng: createRng(7) }));
    const c = await values(SO2.sample(8, { method: 'uniform', rng: createRng(8) }));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const grid = await values(SO2.sample(8));
    const u = createRng(7).next();
    const delta = (u * 2 * Math.PI * 7) / 64;
    for (let k = 0; k < 8; k++) {
      expect(a[k]!).toBeCloseTo((grid[k]! + delta) % (2 * Math.PI), 5);
      expect(a[k]!).toBeGreaterThanOrEqual(0);
      expect(a[k]!).toBeLessThan(2 * Math.PI);
    }
  });

  it('uniform keeps Sim(2) scales discretised and Rplus scales shifted in log space', async () => {
    const sim = await values(
      SO2xRplus({ maxScale: 1.74 }).sample([4, 3], { method: 'uniform', rng: createRng(1) }),
    );
    const grid = await values(SO2xRplus({ maxScale: 1.74 }).sample([4, 3]));
    for (let i = 1; i < sim.length; i += 2) expect(sim[i]).toBe(grid[i]);
    const r = await values(
      Rplus({ maxScale: 2 }).sample(3, { method: 'uniform', rng: createRng(3) }),
    );
    const u = createRng(3).next();
    expect(r[0]).toBeCloseTo(Math.exp((u * Math.log(2)) / 3), 5);
  });

  it('rejects bad counts and methods with clear errors', () => {
    expect(() => SO2.sample(0)).toThrow(/SO2.sample: sampleCount must be a positive integer/);
    expect(() => SO2.sample([4, 2])).toThrow(/SO2 takes an integer, got \[4,2\]/);
    expect(() => SO2xRplus({ maxScale: 2 }).sample([4, 0])).toThrow(/\[nRotations, nScales\]/);
    expect(() => SO2.sample(4, { method: 'uniform' })).toThrow(/needs options.rng/);
    // biome-ignore lint/suspicious/noExplicitAny: testing a bad runtime value
    expect(() => SO2.sample(4, { method: 'random' as any })).toThrow(
      /'discretize' or 'uniform', got 'random'/,
    );
    expect(() => Rplus({ maxScale: 0.5 })).toThrow(/maxScale must be a finite number ≥ 1, got 0.5/);
  });

  it('testing elements contain the exact quarter turns', async () => {
    for (const group of [SO2, SE2.subgroup, Sim2({ maxScale: 2 }).subgroup]) {
      const angles = await values(tf.tidy(() => tf.slice(group.testingElements(), [0, 0], [4, 1])));
      expect(angles).toEqual([0, Math.PI / 2, Math.PI, (3 * Math.PI) / 2].map(Math.fround));
    }
    expect(R2xRplus({ maxScale: 2 }).subgroup.kind).toBe('scale');
  });
});

describe('relativeCoordinates', () => {
  it('matches the reference normalisation ((θ_in − θ_out) mod 2π)/π − 1 and ln(s_in/s_out)', async () => {
    const g = SO2xRplus({ maxScale: 1.74 });
    const coords = tf.tidy(() => {
      const hOut = tf.tensor2d([
        [0, 1],
        [Math.PI / 2, 1.74],
      ]);
      const hIn = tf.tensor2d([
        [0, 1],
        [Math.PI / 2, 1.74],
        [(3 * Math.PI) / 2, 1],
      ]);
      return g.relativeCoordinates(hOut, hIn);
    });
    const c = (await coords.array()) as number[][][];
    coords.dispose();
    expect(c[0]![0]).toEqual([-1, 0]);
    expect(c[0]![1]![0]).toBeCloseTo(-0.5, 6);
    expect(c[0]![1]![1]).toBeCloseTo(Math.log(1.74), 6);
    expect(c[1]![0]![0]).toBeCloseTo(0.5, 6); // −π/2 ≡ 3π/2
    expect(c[1]![2]![0]).toBeCloseTo(0, 6);
    expect(c[1]![2]![1]).toBeCloseTo(-Math.log(1.74), 6);
  });
});
