import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BenchUsageError } from './bench-options';
import {
  checkReferenceDir,
  lastErrorLine,
  parseResultLines,
  REFERENCE_SCRIPT,
  referenceEnv,
  referenceStepArgs,
  toReferenceResult,
} from './reference-runner';

const measured = {
  config: 'se2-separable',
  backend: 'torch-cpu',
  mode: 'train16',
  batch: 16,
  medianMs: 650,
  minMs: 640,
  maxMs: 700,
  imagesPerSecond: 24.6,
  peakRssMiB: 812.5,
  params: 755370,
  torch: '1.13.0',
  threads: 2,
};

describe('parseResultLines', () => {
  it('reads the RESULT lines and ignores everything else', () => {
    const stdout = `warming up\nRESULT ${JSON.stringify(measured)}\nnoise RESULT {}\nRESULT {"config":"b"}\n`;
    expect(parseResultLines(stdout, 'x')).toEqual([measured, { config: 'b' }]);
    expect(parseResultLines('', 'x')).toEqual([]);
  });

  it('rejects a RESULT line that is not a JSON object, naming the line', () => {
    expect(() => parseResultLines('RESULT {"a":', 'script')).toThrow(
      /script: RESULT line 1 is not JSON/,
    );
    expect(() => parseResultLines('RESULT {}\nRESULT [1]', 'script')).toThrow(
      /script: RESULT line 2 is not a JSON object/,
    );
  });
});

describe('toReferenceResult', () => {
  it('keeps a measurement and adds the load before it', () => {
    expect(toReferenceResult(measured, 0.7)).toEqual({ ...measured, loadBefore: 0.7 });
  });

  it('turns a reported error into a failed measurement', () => {
    const failed = {
      config: 'sim2-separable2d',
      backend: 'torch-cuda',
      mode: 'train64',
      error: 'CUDA out of memory',
    };
    expect(toReferenceResult(failed, 1.1)).toEqual({ ...failed, loadBefore: 1.1 });
  });

  it('names a missing or non-finite field', () => {
    expect(() => toReferenceResult({ ...measured, medianMs: null }, 0)).toThrow(
      /se2-separable train16 has medianMs = null, expected a finite number/,
    );
    const { peakRssMiB: _, ...noRss } = measured;
    expect(() => toReferenceResult(noRss, 0)).toThrow(/peakRssMiB = undefined/);
    expect(() => toReferenceResult({ mode: 'train16' }, 0)).toThrow(
      /needs string config, mode and backend/,
    );
  });
});

describe('lastErrorLine', () => {
  it('prefers the last `…Error` line or the script’s own message, else the last line', () => {
    const py =
      'Traceback (most recent call last):\n  File "x.py"\nRuntimeError: not enough memory\n\n';
    expect(lastErrorLine(py, 'exit 1')).toBe('RuntimeError: not enough memory');
    expect(lastErrorLine('bench_reference.py: --reference r must be …\n', 'exit 2')).toBe(
      'bench_reference.py: --reference r must be …',
    );
    expect(lastErrorLine('Killed\n', 'exit 137')).toBe('Killed');
    expect(lastErrorLine('', 'exit 137')).toBe('exit 137');
  });
});

describe('referenceStepArgs', () => {
  it('runs the step command of the script for one cell with measure.ts’ timing', () => {
    const setup = {
      python: 'python3',
      dir: '/ref',
      torch: '1.13',
      pythonVersion: '3.11',
    };
    expect(
      referenceStepArgs(
        setup,
        'configs.json',
        { config: 'default', mode: 'infer64' },
        { warmup: 1, reps: 2, slowMs: 4000 },
      ),
    ).toEqual([
      REFERENCE_SCRIPT,
      'step',
      '--reference',
      '/ref',
      '--configs',
      'configs.json',
      '--config',
      'default',
      '--mode',
      'infer64',
      '--warmup',
      '1',
      '--reps',
      '2',
      '--slow-ms',
      '4000',
      '--threads',
      '2',
    ]);
  });
});

describe('checkReferenceDir', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gcnn-ref-check-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts the folder holding ck_g_cnn/ and returns it absolute', () => {
    mkdirSync(join(dir, 'clone', 'ck_g_cnn'), { recursive: true });
    writeFileSync(join(dir, 'clone', 'ck_g_cnn', '__init__.py'), '');
    expect(checkReferenceDir(join(dir, 'clone'))).toBe(join(dir, 'clone'));
  });

  it('rejects a folder without it, naming --reference and the file', () => {
    expect(() => checkReferenceDir(join(dir, 'clone', 'ck_g_cnn'))).toThrow(BenchUsageError);
    expect(() => checkReferenceDir(dir)).toThrow(
      /--reference .* must be the folder holding .*ck_g_cnn\/__init__\.py not found/,
    );
  });
});

describe('referenceEnv', () => {
  it('leaves the allocator as installed for stock', () => {
    const env = referenceEnv('stock');
    expect(env.MALLOC_MMAP_MAX_).toBe(process.env.MALLOC_MMAP_MAX_);
    expect(env.MALLOC_TRIM_THRESHOLD_).toBe(process.env.MALLOC_TRIM_THRESHOLD_);
  });

  it('tells glibc to map nothing and never trim for retain, keeping the rest of the environment', () => {
    const env = referenceEnv('retain');
    expect(env.MALLOC_MMAP_MAX_).toBe('0');
    expect(Number(env.MALLOC_TRIM_THRESHOLD_)).toBeGreaterThanOrEqual(2 ** 40);
    expect(env.PATH).toBe(process.env.PATH);
  });
});
