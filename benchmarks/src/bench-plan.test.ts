import { describe, expect, it } from 'vitest';
import { type BenchStep, benchJobs, interleave, type Job, referenceModeOf } from './bench-plan';

const label = (s: BenchStep) =>
  s.kind === 'gcnn'
    ? `${s.job.config} ${s.job.backend} ${s.job.mode}`
    : `${s.config} reference${s.malloc === 'stock' ? '' : ` (${s.malloc})`} ${s.mode}`;

describe('referenceModeOf', () => {
  it('maps each gcnn mode to the reference mode of its cell', () => {
    expect(
      ['train16', 'train16-w2', 'train64-w2', 'infer64', 'infer64-w2', 'infer64-nocache'].map(
        referenceModeOf,
      ),
    ).toEqual(['train16', 'train16', 'train64', 'infer64', 'infer64', 'infer64']);
    expect(() => referenceModeOf('infer32')).toThrow(/no reference mode for 'infer32'/);
  });
});

describe('interleave', () => {
  const jobs: Job[] = [
    { config: 'a', backend: 'wasm', mode: 'train16' },
    { config: 'a', backend: 'wasm', mode: 'train16-w2' },
    { config: 'a', backend: 'wasm', mode: 'infer64' },
    { config: 'a', backend: 'wasm', mode: 'infer64-nocache' },
    { config: 'b', backend: 'wasm', mode: 'train16' },
    { config: 'a', backend: 'cpu', mode: 'infer64' },
  ];

  it('without the reference: the jobs, in order', () => {
    expect(interleave(jobs).map(label)).toEqual(
      jobs.map((j) => `${j.config} ${j.backend} ${j.mode}`),
    );
  });

  it('measures the reference once per cell, alternately after and before its first block', () => {
    expect(interleave(jobs, ['stock']).map(label)).toEqual([
      'a wasm train16',
      'a wasm train16-w2',
      'a reference train16',
      'a reference infer64',
      'a wasm infer64',
      'a wasm infer64-nocache',
      'b wasm train16',
      'b reference train16',
      // a's infer64 cell is measured: the cpu row at the end is compared with that measurement
      'a cpu infer64',
    ]);
  });

  it('with both allocators: each cell twice, as installed next to gcnn, the order mirrored', () => {
    expect(interleave(jobs, ['stock', 'retain']).map(label)).toEqual([
      'a wasm train16',
      'a wasm train16-w2',
      'a reference train16',
      'a reference (retain) train16',
      'a reference (retain) infer64',
      'a reference infer64',
      'a wasm infer64',
      'a wasm infer64-nocache',
      'b wasm train16',
      'b reference train16',
      'b reference (retain) train16',
      'a cpu infer64',
    ]);
  });

  it('measures the reference with its memory kept alone when asked', () => {
    const refs = interleave(jobs, ['retain']).filter((s) => s.kind === 'reference');
    expect(refs.map(label)).toEqual([
      'a reference (retain) train16',
      'a reference (retain) infer64',
      'b reference (retain) train16',
    ]);
  });

  it.each([false, true])(
    'covers the real matrix (quick %s): every job once, one reference per cell',
    (quick) => {
      const all = benchJobs(quick);
      const steps = interleave(all, ['stock']);
      expect(steps.filter((s) => s.kind === 'gcnn').map((s) => s.kind === 'gcnn' && s.job)).toEqual(
        all,
      );
      const cells = new Set(all.map((j) => `${j.config} ${referenceModeOf(j.mode)}`));
      const refs = steps.filter((s) => s.kind === 'reference').map(label);
      expect(refs.length).toBe(cells.size);
      expect(new Set(refs.map((r) => r.replace(' reference ', ' ')))).toEqual(cells);
    },
  );

  it('quick: train16 and infer64 of each configuration, nonseparable train16 only', () => {
    const cells = interleave(benchJobs(true), ['stock'])
      .filter((s) => s.kind === 'reference')
      .map(label);
    expect(cells).toEqual([
      'se2-nonseparable reference train16',
      'se2-separable reference train16',
      'se2-separable reference infer64',
      'sim2-separable2d reference train16',
      'sim2-separable2d reference infer64',
      'default reference train16',
      'default reference infer64',
    ]);
  });

  it('--configs: only the jobs of those configurations, their cpu rows included', () => {
    const jobs = benchJobs(false, ['default', 'se2-separable']);
    expect(new Set(jobs.map((j) => j.config))).toEqual(new Set(['default', 'se2-separable']));
    expect(jobs).toEqual(
      benchJobs(false).filter((j) => j.config === 'default' || j.config === 'se2-separable'),
    );
    expect(jobs.filter((j) => j.backend === 'cpu')).toHaveLength(3);
    expect(benchJobs(false, ['sim2-separable2d']).every((j) => j.backend === 'wasm')).toBe(true);
  });
});
