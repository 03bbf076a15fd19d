import { describe, expect, it } from 'vitest';
import { learningRateAt } from './lr-schedule';

describe('learningRateAt', () => {
  it('cosine equals CosineAnnealingLR(T_max = epochs, eta_min = 0) stepped per epoch', () => {
    const s = { kind: 'cosine', epochs: 4 } as const;
    expect([0, 1, 2, 3, 4].map((e) => learningRateAt(s, 0.1, e))).toEqual(
      [0.1, (0.1 * (1 + Math.SQRT1_2)) / 2, 0.05, (0.1 * (1 - Math.SQRT1_2)) / 2, 0].map((x, i) =>
        i === 2 ? expect.closeTo(x, 15) : i === 4 ? expect.closeTo(0, 15) : expect.closeTo(x, 15),
      ),
    );
  });
  it('multistep multiplies by gamma at each milestone, constant stays', () => {
    const s = { kind: 'multistep', milestones: [2, 4], gamma: 0.1 } as const;
    expect([0, 1, 2, 3, 4, 9].map((e) => learningRateAt(s, 1, e))).toEqual([
      1,
      1,
      0.1,
      0.1,
      expect.closeTo(0.01, 15),
      expect.closeTo(0.01, 15),
    ]);
    expect(learningRateAt({ kind: 'constant' }, 0.3, 7)).toBe(0.3);
  });
  it('cosine-steps anneals within an epoch and agrees with cosine at epoch boundaries', () => {
    const s = { kind: 'cosine-steps', epochs: 1 } as const;
    expect(learningRateAt(s, 2e-3, 0, 0)).toBeCloseTo(2e-3, 12);
    expect(learningRateAt(s, 2e-3, 0, 0.5)).toBeCloseTo(1e-3, 12);
    expect(learningRateAt(s, 2e-3, 0, 0.99)).toBeLessThan(1e-6);
    const three = { kind: 'cosine-steps', epochs: 3 } as const;
    for (const e of [0, 1, 2]) {
      expect(learningRateAt(three, 1, e)).toBeCloseTo(
        learningRateAt({ kind: 'cosine', epochs: 3 }, 1, e),
        12,
      );
    }
  });

  it('rejects bad epochs', () => {
    expect(() => learningRateAt({ kind: 'constant' }, 1, -1)).toThrow(
      /epoch must be an integer ≥ 0/,
    );
    expect(() => learningRateAt({ kind: 'cosine', epochs: 0 }, 1, 0)).toThrow(/T_max/);
  });
});
