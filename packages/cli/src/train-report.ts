import type { ModelConfig } from '@gcnn/models';
import { summarySvg, type TrainResult } from '@gcnn/training';
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
  io.out.write(
    `test accuracy ${percent(final.testAccuracy)} on ${r.data.testImages} test images (test loss ${testLoss}); best ${percent(final.bestTestAccuracy)}; ${r.result.progress.step} steps; wall time ${formatDuration(r.wallSeconds)}; run folder ${r.plan.outDir}\n`,
  );
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
