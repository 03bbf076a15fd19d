import { describe, expect, it } from 'vitest';
import type {
  BenchReport,
  FailedMeasurement,
  GcnnMeasurement,
  ReferenceMeasurement,
} from './bench-report';
import { referenceFor, renderBenchTable } from './bench-table';
import { benchConfig } from './configs';
import { summarize } from './flops';

const gcnn = (
  config: string,
  backend: string,
  mode: string,
  medianMs: number,
): GcnnMeasurement => ({
  config,
  backend,
  mode,
  medianMs,
  minMs: medianMs - 10,
  maxMs: medianMs + 10,
  imagesPerSecond: 16000 / medianMs,
  peakRssMiB: 900,
  peakTfBytes: 9 * 2 ** 20,
  loadBefore: 1.05,
});
const reference = (config: string, mode: string, medianMs: number): ReferenceMeasurement => ({
  config,
  backend: 'torch-cpu',
  mode,
  medianMs,
  minMs: medianMs - 20,
  maxMs: medianMs + 20,
  imagesPerSecond: 16000 / medianMs,
  peakRssMiB: 1510,
  params: 755370,
  torch: '1.13.0a0',
  threads: 2,
  loadBefore: 0.95,
});

/** The reference's SE(2) separable `infer64` process, killed (e.g. out of memory). */
const killedInfer64 = (loadBefore: number): FailedMeasurement => ({
  config: 'se2-separable',
  backend: 'torch-cpu',
  mode: 'infer64',
  error: 'Killed',
  loadBefore,
});

function report(withReference: boolean): BenchReport {
  const ids = ['se2-separable', 'se2-nonseparable'];
  return {
    date: '2026-12-04T12:00:00.000Z',
    quick: true,
    machine: { lscpu: ['CPU(s): 2'], nproc: 2, node: 'v20.20.2' },
    ceiling: {
      conv2d: { gflops: 45, what: 'conv' },
      matMul: { gflops: 37, what: 'mm' },
      depthwise: { gflops: 2.7, what: 'dw' },
      depthwiseSimd: { gflops: 15, what: 'simd' },
    },
    ceilingLoad: 1,
    flops: Object.fromEntries(
      ids.map((id) => [
        id,
        { b16: summarize(benchConfig(id).config, 16), b64: summarize(benchConfig(id).config, 64) },
      ]),
    ),
    results: [
      {
        ...gcnn('se2-nonseparable', 'wasm', 'train16', 20000),
        cpuPerCall: { userMs: 19800, systemMs: 200, minorFaults: 1500 },
      },
      gcnn('se2-separable', 'wasm', 'train16', 1000),
      gcnn('se2-separable', 'wasm', 'train16-w2', 500),
      {
        config: 'se2-separable',
        backend: 'wasm',
        mode: 'infer64',
        error: 'RuntimeError: memory access | out of bounds',
        loadBefore: 1.2,
      },
    ],
    ...(withReference
      ? {
          reference: {
            torch: '1.13.0a0',
            python: '3.11.2',
            threads: 2,
            commit: 'e2de2bd',
            results: [
              {
                ...reference('se2-nonseparable', 'train16', 4000),
                cpuPerCall: { userMs: 5000, systemMs: 2500, minorFaults: 512345 },
              },
              reference('se2-separable', 'train16', 800),
              killedInfer64(1.3),
            ],
          },
        }
      : {}),
  };
}

const row = (lines: string[], start: string) => lines.find((l) => l.startsWith(start))!;

describe('renderBenchTable with the reference measured side by side', () => {
  const lines = renderBenchTable(report(true));

  it('says the ratios come from this run, and names the reference and torch', () => {
    const text = lines.join('\n');
    expect(text).toContain('pnpm bench --quick --reference <dir>');
    expect(text).toContain(
      'commit e2de2bd) on torch 1.13.0a0 (Python 3.11.2, 2 threads, CPU, glibc as installed (large freed blocks go back to the kernel',
    );
    expect(text).toContain('**measured in this run**');
    expect(text).not.toContain('another day');
  });

  it('names a reference measured with its freed memory kept', () => {
    const r = report(true);
    r.reference!.malloc = 'retain';
    expect(renderBenchTable(r).join('\n')).toContain(
      'glibc told to keep freed memory (`--reference-malloc retain`',
    );
  });

  it('gives system CPU time and page faults per call where both sides recorded them', () => {
    const i = lines.indexOf(
      '| configuration | backend | mode | gcnn: system CPU, faults | reference: system CPU, faults |',
    );
    expect(i).toBeGreaterThan(0);
    expect(lines[i + 2]).toBe(
      '| SE(2) N=8 nonseparable | wasm | train16 | 200 ms of 20000 ms (1 %), 1,500 faults | 2500 ms of 7500 ms (33 %), 512,345 faults |',
    );
    // the separable cells have no counts on one side or failed: no row
    expect(lines[i + 3] ?? '').not.toContain('| SE(2) N=8 separable |');
  });

  it('puts the reference cell next to each gcnn row: times, ratio, both peak RSS, both loads', () => {
    expect(row(lines, '| SE(2) N=8 separable | wasm | train16 |')).toBe(
      '| SE(2) N=8 separable | wasm | train16 | 1.00 s (0.99 s–1.01 s) | 0.80 s (0.78 s–0.82 s) | 0.80× | 16.0 | 21.2 | 900 MiB | 1510 MiB | 9 MiB | 1.05 / 0.95 |',
    );
    // -w2: the same cell's reference
    expect(row(lines, '| SE(2) N=8 separable | wasm | train16-w2 |')).toContain(
      '| 0.80 s (0.78 s–0.82 s) | 1.60× |',
    );
  });

  it('shows failed measurements of either side as such', () => {
    expect(row(lines, '| SE(2) N=8 separable | wasm | infer64 |')).toBe(
      '| SE(2) N=8 separable | wasm | infer64 | failed: RuntimeError: memory access / out of bounds | failed: Killed |  |  |  |  | — |  | 1.20 / 1.30 |',
    );
  });

  it('gives separable vs nonseparable for both from this run', () => {
    expect(lines).toContain(
      'Separable vs nonseparable, SE(2) N=8, wasm train16: 20.0× faster; the reference in this run, train16: 5.0×.',
    );
  });
});

describe('renderBenchTable with the reference measured both ways (--reference-malloc both)', () => {
  const both = report(true);
  both.reference!.malloc = 'stock';
  both.reference!.memoryKept = [
    {
      ...reference('se2-nonseparable', 'train16', 3000),
      peakRssMiB: 2100,
      cpuPerCall: { userMs: 4900, systemMs: 50, minorFaults: 1234 },
    },
    reference('se2-separable', 'train16', 400),
    killedInfer64(1),
  ];
  const lines = renderBenchTable(both);
  const head =
    '| configuration | backend | mode | gcnn median | reference, memory kept, median (min–max) | vs kept | vs installed | peak RSS reference, memory kept | load |';

  it('names the flag in the run line', () => {
    expect(lines[0]).toMatch(
      /^Run: `pnpm bench --quick --reference <dir> --reference-malloc both`/,
    );
    const retain = report(true);
    retain.reference!.malloc = 'retain';
    expect(renderBenchTable(retain)[0]).toContain(
      '`pnpm bench --quick --reference <dir> --reference-malloc retain`',
    );
  });

  it('adds a table against the reference with its memory kept, the installed ratio beside it', () => {
    const i = lines.indexOf(head);
    expect(i).toBeGreaterThan(0);
    expect(lines[i - 2]).toContain('glibc told to keep freed memory (`--reference-malloc retain`');
    expect(lines.slice(i + 2, i + 5)).toEqual([
      '| SE(2) N=8 nonseparable | wasm | train16 | 20.00 s | 3.00 s (2.98 s–3.02 s) | 0.15× | 0.20× | 2100 MiB | 0.95 |',
      '| SE(2) N=8 separable | wasm | train16 | 1.00 s | 0.40 s (0.38 s–0.42 s) | 0.40× | 0.80× | 1510 MiB | 0.95 |',
      '| SE(2) N=8 separable | wasm | train16-w2 | 0.50 s | 0.40 s (0.38 s–0.42 s) | 0.80× | 1.60× | 1510 MiB | 0.95 |',
    ]);
    // gcnn's failed infer64 has no row; the main table still names the reference as installed
    expect(lines[i + 5]).toBe('');
    expect(lines.join('\n')).toContain('CPU, glibc as installed (large freed blocks');
  });

  it('gives the kernel time of both reference processes', () => {
    const i = lines.findIndex((l) =>
      l.startsWith('| configuration | backend | mode | gcnn: system'),
    );
    expect(lines[i]).toBe(
      '| configuration | backend | mode | gcnn: system CPU, faults | reference as installed: system CPU, faults | reference, memory kept: system CPU, faults |',
    );
    expect(lines[i + 1]).toBe('|---|---|---|---:|---:|---:|');
    expect(lines[i + 2]).toBe(
      '| SE(2) N=8 nonseparable | wasm | train16 | 200 ms of 20000 ms (1 %), 1,500 faults | 2500 ms of 7500 ms (33 %), 512,345 faults | 50 ms of 4950 ms (1 %), 1,234 faults |',
    );
  });

  it('has no such table when the run measured one allocator', () => {
    expect(renderBenchTable(report(true))).not.toContain(head);
  });
});

describe('renderBenchTable without the reference', () => {
  const lines = renderBenchTable(report(false));

  it('says the ratios are against stored numbers from another day', () => {
    expect(lines.join('\n')).toContain('**from stored numbers measured on another day**');
    expect(lines.join('\n')).toContain('| vs stored reference |');
  });

  it('compares with benchmarks/reference-cpu.md’s numbers', () => {
    expect(row(lines, '| SE(2) N=8 separable | wasm | train16 |')).toContain('| 0.68 s (0.68×) |');
    expect(lines).toContain(
      'Separable vs nonseparable, SE(2) N=8, wasm train16: 20.0× faster (stored reference: 4.8× at batch 64).',
    );
  });
});

describe('referenceFor', () => {
  it('finds the reference cell of a gcnn mode', () => {
    const refs = report(true).reference!.results;
    expect(referenceFor(refs, { config: 'se2-separable', mode: 'train16-w2' })).toBe(refs[1]);
    expect(referenceFor(refs, { config: 'se2-separable', mode: 'infer64-nocache' })).toBe(refs[2]);
    expect(referenceFor(refs, { config: 'default', mode: 'train16' })).toBeUndefined();
  });
});

describe('the ceiling line', () => {
  const ceilingLine = (r: BenchReport) => row(renderBenchTable(r), 'Ceiling (wasm, 1 thread;');

  it('adds the ceiling of two processes at once, each core’s rate, when the run measured it', () => {
    const kernels = (conv: number, mm: number) => ({
      conv2d: { gflops: conv, what: 'conv' },
      matMul: { gflops: mm, what: 'mm' },
      depthwise: { gflops: 2.5, what: 'dw' },
      depthwiseSimd: { gflops: 14, what: 'simd' },
    });
    const r = { ...report(true), ceilingTwoAtOnce: [kernels(41.04, 30), kernels(39.96, 31.5)] };
    expect(ceilingLine(r as BenchReport)).toContain(
      'The same in two processes at once (both cores busy): conv2d 41.0 + 40.0 GFLOP/s, matMul 30.0 + 31.5 GFLOP/s; read the two-thread rows',
    );
  });

  it('says nothing of it for a report from before it was measured', () => {
    expect(ceilingLine(report(true))).not.toContain('two processes');
  });
});
