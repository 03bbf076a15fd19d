import { describe, expect, it } from 'vitest';
import { createRng } from './rng';

describe('createRng (mulberry32, the model stream)', () => {
  it('has a fixed stream (golden values: model init, dropout and sampling depend on it)', () => {
    const r = createRng(0);
    expect(Array.from({ length: 4 }, () => r.next())).toEqual([
      0.26642920868471265, 0.0003297457005828619, 0.2232720274478197, 0.1462021479383111,
    ]);
    const s = createRng(42);
    expect([s.next(), s.next()]).toEqual([0.6011037519201636, 0.44829055899754167]);
  });

  it('resumes exactly from getState/setState', () => {
    const r = createRng(7);
    for (let i = 0; i < 10; i++) r.next();
    const state = r.getState();
    const next = [r.next(), r.next()];
    const s = createRng(123);
    s.setState(state);
    expect([s.next(), s.next()]).toEqual(next);
  });

  it('rejects a seed that is not a finite number', () => {
    expect(() => createRng(Number.NaN)).toThrow(/Error in createRng: seed must be a finite number/);
  });
});
