import type { ModelConfig } from '@gcnn/models';
import {
  type DivergenceError,
  NON_FINITE_STATE,
  summarySvg,
  type TrainResult,
} from '@gcnn/training';
import { RUN_FILES, type RunDirectory } from '@gcnn/training/node';
import type { CliIo } from './io';
import { formatDuration } from './progress-bar';
import type { TrainPlan } from './train-plan';
import { percent } from './train-progress';

/** The size of a run's data. */
export interface DataCounts {
  id: string;
  trainImages: number;
  testImages: number;
}

/** What the end of `gcnn train` reports on. */
export interface TrainReport {
  result: TrainResult;
  plan: Pick<TrainPlan, 'model' | 'train' | 'workers' | 'outDir'>;
  data: DataCounts;
  parameters: number;
  backend: string;
  /** Seconds since the command started. */
  wallSeconds: number;
}

const describeModel = (m: ModelConfig) =>
  `${m.model} ${m.group} ${m.implementation} N=${JSON.stringify(m.sampleCount)}`;

/** `summary.json`: the final and best test accuracy, the run's size and its times. */
function summaryJson(r: TrainReport): string {
  const final = r.result.final;
  const summary = {
    testAccuracy: final?.testAccuracy ?? null,
    testLoss: final?.testLoss ?? null,
    bestTestAccuracy: final?.bestTestAccuracy ?? null,
    bestEpoch: final?.bestEpoch ?? null,
    epochs: r.result.progress.epoch,
    steps: r.result.progress.step,
    testImages: r.data.testImages,
    trainImages: r.data.trainImages,
    parameters: r.parameters,
    backend: r.backend,
    workers: r.plan.workers,
    wallSeconds: r.wallSeconds,
    trainSeconds: r.result.seconds,
  };
  return `${JSON.stringify(summary, null, 2)}\n`;
}

/** `summary.svg`: the headline and a table of the model, data, optimizer and times. */
function summaryImage(r: TrainReport): string {
  const { model, train, workers } = r.plan;
  const { result, data } = r;
  const final = result.final;
  const bestEpoch =
    final?.bestEpoch === null || final?.bestEpoch === undefined ? '—' : final.bestEpoch + 1;
  return summarySvg(`gcnn train — ${data.id}`, `test accuracy ${percent(final?.testAccuracy)}`, [
    ['model', describeModel(model)],
    ['widths / k', `${model.hiddenSizes.join(',')} / ${model.kernelSize}`],
    ['parameters', r.parameters.toLocaleString('en-US')],
    ['data', `${data.trainImages} train / ${data.testImages} test`],
    [
      'optimizer',
      `${train.optimizer.name} lr ${train.learningRate} ${train.lrSchedule.kind}, batch ${train.batchSize}`,
    ],
    ['epochs / steps', `${result.progress.epoch} / ${result.progress.step}`],
    ['best test accuracy', `${percent(final?.bestTestAccuracy)} (epoch ${bestEpoch})`],
    [
      'backend / wall time',
      `${r.backend}${workers > 1 ? ` × ${workers} threads` : ''} / ${formatDuration(r.wallSeconds)}`,
    ],
  ]);
}

/** Writes `summary.json` and `summary.svg` into the run folder and prints the final line. */
export function reportTrainRun(run: RunDirectory, r: TrainReport, io: CliIo): void {
  run.writeFile(RUN_FILES.summaryJson, summaryJson(r));
  run.writeFile(RUN_FILES.summary, summaryImage(r));
  const final = r.result.final;
  if (!final) {
    io.out.write(`nothing to do: the run in ${r.plan.outDir} is already finished\n`);
    return;
  }
  const testLoss = final.testLoss === null ? '—' : final.testLoss.toFixed(4);
  const skipped = r.result.progress.skippedBatches
    ? ` (${r.result.progress.skippedBatches} skipped: non-finite loss or gradients)`
    : '';
  io.out.write(
    `test accuracy ${percent(final.testAccuracy)} on ${r.data.testImages} test images (test loss ${testLoss}); best ${percent(final.bestTestAccuracy)}; ${r.result.progress.step} steps${skipped}; wall time ${formatDuration(r.wallSeconds)}; run folder ${r.plan.outDir}\n`,
  );
}

/**
 * The one line `gcnn train` ends with when the run diverged: where (1-based epoch and batch, as
 * the progress shows them), what is kept, and what to try.
 */
export function divergenceLine(
  e: DivergenceError,
  plan: Pick<TrainPlan, 'train' | 'outDir'>,
): string {
  const { at } = e;
  const where =
    e.what === 'loss'
      ? `the training loss is ${e.value} at step ${at.step} (epoch ${at.epoch + 1}, batch ${at.batch + 1}, lr ${at.lr.toExponential(2)})`
      : `${NON_FINITE_STATE[e.what]} no longer finite after step ${at.step} (epoch ${at.epoch + 1}, lr ${at.lr.toExponential(2)})`;
  const kept =
    e.lastCheckpointStep === null
      ? 'training stopped before any checkpoint was written'
      : `training stopped; the last checkpoint (step ${e.lastCheckpointStep}) is kept and stays the resume point`;
  const lr = `a lower --lr than ${plan.train.learningRate} (--overwrite to start over in this folder)`;
  const skip =
    plan.train.onNonFinite === 'skip'
      ? '; skipping batches cannot mend a non-finite state'
      : e.lastCheckpointStep === null
        ? ', or --on-nonfinite skip to drop such batches'
        : `, or --resume ${plan.outDir} --on-nonfinite skip to drop such batches`;
  return `the run diverged: ${where}; ${kept}. Try ${lr}${skip}`;
}

/** The line `gcnn train` starts with: the model, its size, the data and the backend. */
export function describeTrainRun(
  model: ModelConfig,
  parameters: number,
  data: DataCounts,
  backend: string,
): string {
  return `gcnn: ${describeModel(model)} hidden ${model.hiddenSizes.join(',')} k=${model.kernelSize}: ${parameters.toLocaleString('en-US')} parameters; ${data.id} ${data.trainImages} train / ${data.testImages} test; backend ${backend}\n`;
}
