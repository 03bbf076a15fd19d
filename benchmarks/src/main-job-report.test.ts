import { describe, expect, it } from 'vitest';
import {
  gcnnMainJobSide,
  type MainJobReport,
  type MainJobSide,
  referenceMainJobSide,
  renderMainJobTable,
} from './main-job-report';

const summaryJson = JSON.stringify({
  testAccuracy: 0.9733,
  testLoss: 0.09,
  steps: 1125,
  testImages: 50000,
  trainImages: 12000,
  parameters: 70298,
  wallSeconds: 205,
  trainSeconds: 190,
});
const metricsJsonl = [
  '{"type":"step","epoch":0,"step":10,"time":{"elapsedSeconds":2}}',
  '{"type":"epoch","epoch":0,"step":375,"time":{"elapsedSeconds":60}}',
  '{"type":"epoch","epoch":2,"step":1125,"time":{"elapsedSeconds":190,"evalSeconds":25.5}}',
  '',
].join('\n');

describe('gcnnMainJobSide', () => {
  it('reads the run folder: training = train() minus its evaluations', () => {
    expect(
      gcnnMainJobSide({ summaryJson, metricsJsonl, peakRssJson: '{"peakRssMiB":812.5}' }, 207, 0.4),
    ).toEqual({
      trainSeconds: 164.5,
      evalSeconds: 25.5,
      processSeconds: 207,
      testAccuracy: 0.9733,
      steps: 1125,
      trainImages: 12000,
      testImages: 50000,
      params: 70298,
      peakRssMiB: 812.5,
      loadBefore: 0.4,
    });
  });

  it('names what is missing', () => {
    const noAccuracy = JSON.stringify({ ...JSON.parse(summaryJson), testAccuracy: null });
    expect(() =>
      gcnnMainJobSide(
        { summaryJson: noAccuracy, metricsJsonl, peakRssJson: '{"peakRssMiB":1}' },
        1,
        0,
      ),
    ).toThrow(/summary.json: testAccuracy = null, expected a finite number/);
    expect(() => gcnnMainJobSide({ summaryJson, metricsJsonl, peakRssJson: '{}' }, 1, 0)).toThrow(
      /report-peak-rss.mjs: peakRssMiB = undefined/,
    );
  });
});

describe('referenceMainJobSide', () => {
  const result = {
    steps: 1125,
    trainImages: 12000,
    testImages: 50000,
    params: 70298,
    trainSeconds: 300,
    evalSeconds: 40,
    testAccuracy: 0.97,
    peakRssMiB: 700,
    torch: '1.13.0a0',
  };

  it('reads the RESULT of bench_reference.py main-job', () => {
    expect(referenceMainJobSide(result, 345, 0.5)).toMatchObject({
      trainSeconds: 300,
      evalSeconds: 40,
      processSeconds: 345,
      testAccuracy: 0.97,
      peakRssMiB: 700,
      loadBefore: 0.5,
    });
    expect(() => referenceMainJobSide({ ...result, evalSeconds: 'x' }, 1, 0)).toThrow(
      /main-job: evalSeconds = "x"/,
    );
  });
});

const side = (trainSeconds: number, evalSeconds: number, peakRssMiB: number): MainJobSide => ({
  trainSeconds,
  evalSeconds,
  processSeconds: trainSeconds + evalSeconds + 5,
  testAccuracy: 0.9733,
  steps: 1125,
  trainImages: 12000,
  testImages: 50000,
  params: 70298,
  peakRssMiB,
  loadBefore: 0.5,
});

function report(reference: MainJobReport['reference']): MainJobReport {
  return {
    date: '2026-12-04T12:00:00.000Z',
    quick: false,
    machine: { lscpu: ['CPU(s): 2'], nproc: 2, node: 'v20.20.2' },
    flags: [],
    recipe: { epochs: 3, batchSize: 32 },
    gcnn: { ...side(160, 20, 800), backend: 'wasm', workers: 2 },
    reference,
  };
}
const refEnv = { torch: '1.13.0a0', python: '3.11.2', threads: 2, commit: 'e2de2bd' };

describe('renderMainJobTable', () => {
  it('puts both sides in one row per quantity, with reference / gcnn', () => {
    const lines = renderMainJobTable(report({ ...side(320, 30, 400), ...refEnv }));
    expect(lines).toContain('| training (1125 steps) | 160.0 s | 320.0 s | 2.00× |');
    expect(lines).toContain('| evaluation (50,000 test images) | 20.0 s | 30.0 s | 1.50× |');
    expect(lines).toContain('| training + evaluation | 180.0 s | 350.0 s | 1.94× |');
    expect(lines).toContain('| test accuracy | 97.33% | 97.33% |  |');
    expect(lines).toContain('| peak RSS | 800 MiB | 400 MiB | 0.50× |');
    expect(lines.join('\n')).toContain(
      '`ck_g_cnn` e2de2bd on torch 1.13.0a0 (Python 3.11.2), 2 threads',
    );
  });

  it('shows a failed side’s error and no ratios', () => {
    const lines = renderMainJobTable(
      report({ error: 'RuntimeError: x | y', processSeconds: 3, loadBefore: 1, ...refEnv }),
    );
    expect(lines).toContain('| training (1125 steps) | 160.0 s | failed: RuntimeError: x / y |  |');
    expect(lines).toContain('| peak RSS | 800 MiB | — |  |');
  });
});
