import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rplus, resolveGroupGrid, SO2, SO2xRplus, type Subgroup } from './index';

const SUBGROUPS: Subgroup[] = [SO2, Rplus({ maxScale: 2 }), SO2xRplus({ maxScale: 1.74 })];
const count = fc.integer({ min: 1, max: 64 });

/** The grid's element count, by sampling it (the layers' group axis). */
function sampledSize(subgroup: Subgroup, grid: ReturnType<typeof resolveGroupGrid>): number {
  const elements = subgroup.sample(grid);
  const size = elements.shape[0];
  elements.dispose();
  return size;
}

describe('resolveGroupGrid', () => {
  it('an integer n is n rotations (SO2), n scales (Rplus), n × n (SO2xRplus, as the reference)', () => {
    fc.assert(
      fc.property(count, (n) => {
        expect(resolveGroupGrid(SO2, n)).toMatchObject({ nRotations: n, nScales: 1, size: n });
        expect(resolveGroupGrid(Rplus({ maxScale: 2 }), n)).toMatchObject({
          nRotations: 1,
          nScales: n,
          size: n,
        });
        expect(resolveGroupGrid(SO2xRplus({ maxScale: 2 }), n)).toMatchObject({
          nRotations: n,
          nScales: n,
          size: n * n,
        });
      }),
    );
  });

  it('[R, S] is R rotations × S scales for SO2xRplus; [n] is n; the count is kept as given', () => {
    const sim = SO2xRplus({ maxScale: 1.74 });
    fc.assert(
      fc.property(count, count, (r, s) => {
        const grid = resolveGroupGrid(sim, [r, s]);
        expect(grid).toEqual({
          kind: 'rotation-scale',
          nRotations: r,
          nScales: s,
          size: r * s,
          sampleCount: [r, s],
        });
        expect(resolveGroupGrid(sim, [r])).toEqual(resolveGroupGrid(sim, r));
        expect(resolveGroupGrid(SO2, [r]).sampleCount).toBe(r);
      }),
    );
  });

  it('its size is the number of elements sample() gives, on every subgroup', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SUBGROUPS), fc.integer({ min: 1, max: 6 }), (sub, n) => {
        const grid = resolveGroupGrid(sub, n);
        expect(sampledSize(sub, grid)).toBe(grid.size);
        expect(grid.size).toBe(grid.nRotations * grid.nScales);
      }),
      { numRuns: 30 },
    );
  });
});

describe('resolveGroupGrid of a grid or a bad count', () => {
  it('a resolved grid resolves to itself, and only fits a subgroup of its kind', () => {
    const grid = resolveGroupGrid(SO2xRplus({ maxScale: 2 }), [8, 3]);
    expect(resolveGroupGrid(SO2xRplus({ maxScale: 1.5 }), grid)).toBe(grid);
    expect(Object.isFrozen(grid)).toBe(true);
    expect(() => resolveGroupGrid(SO2, grid, 'GroupConv2D')).toThrow(
      /^Error in GroupConv2D: the grid was resolved for a 'rotation-scale' subgroup, not SO2$/,
    );
  });

  it('rejects every count that is not a positive integer or [R, S], naming the caller', () => {
    const bad = fc.oneof(
      fc.integer({ max: 0 }),
      fc.double({ noInteger: true }),
      fc.constant(Number.NaN),
      fc.string().map((s) => s as unknown as number),
    );
    fc.assert(
      fc.property(fc.constantFrom(...SUBGROUPS), bad, (sub, n) => {
        expect(() => resolveGroupGrid(sub, n, 'checkEquivariance')).toThrow(
          /^Error in checkEquivariance: sampleCount must be a positive integer/,
        );
      }),
    );
    const sim = SO2xRplus({ maxScale: 2 });
    for (const c of [[4, 0], [4, 2, 1], [], [1.5, 2]])
      expect(() => resolveGroupGrid(sim, c)).toThrow(
        /sampleCount must be a positive integer or \[nRotations, nScales\] of positive integers/,
      );
    expect(() => resolveGroupGrid(SO2, [8, 2])).toThrow(
      /sampleCount \[nRotations, nScales\] is only for group 'Sim2' \(H = SO\(2\)×R⁺\); SO2 takes an integer, got \[8,2\]/,
    );
  });
});
