import { describe, expect, it } from 'vitest';
import { Xoshiro128 } from './xoshiro128';

describe('Xoshiro128', () => {
  it('gives the same stream for the same seed and a different one for another seed', () => {
    const a = new Xoshiro128(42);
    const b = new Xoshiro128(42);
    const c = new Xoshiro128(43);
    const sa = Array.from({ length: 8 }, () => a.nextUint32());
    expect(Array.from({ length: 8 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it('has a fixed stream (golden values, so every engine agrees)', () => {
    const r = new Xoshiro128(0);
    expect(Array.from({ length: 4 }, () => r.nextUint32())).toEqual([
      3809008728, 1133695204, 53579671, 2891528803,
    ]);
  });

  it('resumes exactly from getState/setState', () => {
    const r = new Xoshiro128(7);
    r.permutation(100);
    const state = r.getState();
    const next = [r.nextUint32(), r.nextFloat(), r.nextInt(10)];
    const s = new Xoshiro128(123);
    s.setState(state);
    expect([s.nextUint32(), s.nextFloat(), s.nextInt(10)]).toEqual(next);
  });

  it('draws floats in [0, 1) and ints in [0, n) roughly uniformly', () => {
    const r = new Xoshiro128(1);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 5000; i++) {
      const f = r.nextFloat();
      expect(f >= 0 && f < 1).toBe(true);
      counts[r.nextInt(5)]++;
    }
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });

  it('permutation holds every index once', () => {
    const p = new Xoshiro128(3).permutation(1000);
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('rejects invalid states and ranges', () => {
    const r = new Xoshiro128(0);
    expect(() => r.setState([0, 0, 0, 0])).toThrow(/all-zero/);
    expect(() => r.setState([1, 2, 3, -1])).toThrow(/Error in Xoshiro128.setState/);
    expect(() => r.nextInt(0)).toThrow(/Error in Xoshiro128.nextInt/);
  });
});
