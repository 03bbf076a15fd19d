import { describe, expect, it } from 'vitest';
import { BenchUsageError, parseBenchOptions, referenceMallocs } from './bench-options';

describe('parseBenchOptions', () => {
  it('defaults: the full matrix, 120 s wait, no reference', () => {
    expect(parseBenchOptions([])).toEqual({
      quick: false,
      maxWait: 120,
      reference: undefined,
      python: undefined,
      referenceMalloc: 'stock',
      mainJob: false,
    });
  });

  it('reads every flag, after the `--` pnpm may pass on', () => {
    expect(
      parseBenchOptions([
        '--',
        '--quick',
        '--max-wait=30',
        '--reference',
        'ref',
        '--python',
        'py',
        '--reference-malloc',
        'retain',
        '--main-job',
      ]),
    ).toEqual({
      quick: true,
      maxWait: 30,
      reference: 'ref',
      python: 'py',
      referenceMalloc: 'retain',
      mainJob: true,
    });
    expect(parseBenchOptions(['--reference=ref']).reference).toBe('ref');
    expect(
      parseBenchOptions(['--reference', 'ref', '--reference-malloc', 'both']).referenceMalloc,
    ).toBe('both');
    expect(parseBenchOptions(['--configs', 'default, se2-separable']).configs).toEqual([
      'default',
      'se2-separable',
    ]);
  });

  it.each([
    [['--fast'], /Unknown option '--fast'/],
    [['extra'], /extra/],
    [['--max-wait=soon'], /--max-wait must be a number of seconds ≥ 0, got 'soon'/],
    [['--reference'], /--reference/],
    [['--reference='], /--reference needs a value/],
    [['--python', 'py'], /--python selects the Python of --reference <dir>/],
    [['--main-job'], /--main-job .* needs --reference <dir>/],
    [
      ['--reference', 'r', '--reference-malloc', 'tuned'],
      /--reference-malloc must be stock, retain or both, got 'tuned'/,
    ],
    [
      ['--reference', 'r', '--reference-malloc', 'both', '--main-job'],
      /--main-job measures the reference once; give --reference-malloc stock or retain/,
    ],
    [['--reference-malloc', 'retain'], /--reference-malloc .* needs --reference <dir>/],
    [['--configs', 'se3'], /--configs takes configuration ids .*default.*, got 'se3'/],
    [['--configs='], /--configs takes configuration ids/],
    [
      ['--reference', 'r', '--main-job', '--configs', 'default'],
      /--configs selects step configurations/,
    ],
  ])('%j is a usage error naming the flag', (argv, message) => {
    expect(() => parseBenchOptions(argv)).toThrow(BenchUsageError);
    expect(() => parseBenchOptions(argv)).toThrow(message);
  });
});

describe('referenceMallocs', () => {
  it('is the allocators a run measures the reference with, as installed first', () => {
    expect(referenceMallocs('stock')).toEqual(['stock']);
    expect(referenceMallocs('retain')).toEqual(['retain']);
    expect(referenceMallocs('both')).toEqual(['stock', 'retain']);
  });
});
