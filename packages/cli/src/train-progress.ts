import type { EpochRecord, StepEvent, TrainOptions } from '@gcnn/training';
import type { CliIo } from './io';
import { formatDuration, ProgressBar } from './progress-bar';
import type { TrainPlan } from './train-plan';

/** A fraction as a percentage with two decimals, `—` when absent. */
export const percent = (x: number | null | undefined) =>
  x === null || x === undefined ? '—' : `${(x * 100).toFixed(2)}%`;

/** A learning rate as the bar and the epoch line show it. */
const lrText = (lr: number) => lr.toExponential(2);

/**
 * The lr of an epoch line: the first and last step's as the bar showed them (`2.00e-03→1.34e-03`
 * when a per-step schedule moved it), else the record's (the epoch's lr).
 */
function epochLr(r: EpochRecord, steps: { first: number; last: number } | undefined): string {
  if (!steps) return lrText(r.lr);
  const [first, last] = [lrText(steps.first), lrText(steps.last)];
  return first === last ? first : `${first}→${last}`;
}

/** The line `gcnn train` prints after each epoch's evaluation. */
function epochLine(r: EpochRecord, lr: string): string {
  const testLoss = r.testLoss === null ? '—' : r.testLoss.toFixed(4);
  const skipped = r.skippedBatches ? `, ${r.skippedBatches} batches skipped so far` : '';
  return `epoch ${r.epoch + 1}${r.partial ? ' (partial)' : ''}: step ${r.step}, lr ${lr}, train loss ${r.trainLoss.toFixed(4)}, train acc ${percent(r.trainAccuracy)}, test loss ${testLoss}, test acc ${percent(r.testAccuracy)}${skipped} (${formatDuration(r.time.elapsedSeconds)})\n`;
}

/**
 * A training loss this many times `ln(classes)` — the cross-entropy of a uniform guess, about
 * where every run starts — means the run is diverging: no converging run comes near it.
 */
const DIVERGING_FACTOR = 100;

/**
 * A warning, once, when a loss read passes {@link DIVERGING_FACTOR}·ln(classes): a finite loss
 * that explodes (a too-high learning rate), before it overflows and the guard stops the run.
 */
function divergingLossWarning(plan: Pick<TrainPlan, 'train' | 'model'>) {
  const uniform = Math.log(plan.model.numClasses);
  let warned = false;
  return (e: StepEvent): string | undefined => {
    if (warned || e.loss === undefined || !(e.loss > DIVERGING_FACTOR * uniform)) return undefined;
    warned = true;
    return `gcnn train: warning: the training loss is ${e.loss.toExponential(2)} at step ${e.step}, over ${DIVERGING_FACTOR}× that of a uniform guess (ln ${plan.model.numClasses} = ${uniform.toFixed(2)}): the run is diverging; a lower --lr than ${plan.train.learningRate} may help\n`;
  };
}

/**
 * The progress callbacks of `train` for `gcnn train`: a progress bar per epoch (steps, learning
 * rate, loss, throughput) and per evaluation on stderr, a line per epoch on stdout, and a warning
 * when the loss explodes. `GCNN_STEP_DELAY_MS` (testing only) sleeps after each step.
 */
export function trainProgress(
  io: CliIo,
  plan: Pick<TrainPlan, 'train' | 'model'>,
): Pick<TrainOptions, 'onStep' | 'onEvalProgress' | 'onEpoch'> {
  const { epochs } = plan.train;
  const diverging = divergingLossWarning(plan);
  let bar: ProgressBar | undefined;
  let barEpoch = -1;
  let evalBar: ProgressBar | undefined;
  /** The lr of the first and last step seen in the bar's epoch. */
  let stepLrs: { first: number; last: number } | undefined;
  const delayMs = Number(io.env.GCNN_STEP_DELAY_MS ?? 0);
  const endEpochBar = () => {
    bar?.finish();
    bar = undefined;
    barEpoch = -1;
  };
  return {
    onStep: async (e) => {
      if (e.epoch !== barEpoch) {
        bar?.finish();
        bar = new ProgressBar(io.err, `epoch ${e.epoch + 1}/${epochs}`, e.batchesPerEpoch, 'step');
        barEpoch = e.epoch;
        stepLrs = { first: e.lr, last: e.lr };
      }
      if (stepLrs) stepLrs.last = e.lr;
      const loss = e.loss !== undefined ? ` loss ${e.loss.toFixed(4)}` : '';
      const speed = e.imagesPerSecond ? ` ${e.imagesPerSecond.toFixed(1)} img/s` : '';
      bar?.update(e.batch + 1, `lr ${lrText(e.lr)}${loss}${speed}`);
      const warning = diverging(e);
      if (warning) io.err.write(`${io.err.isTTY ? '\r\x1b[K' : ''}${warning}`);
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    },
    onEvalProgress: (done, total, epoch) => {
      if (done === 0) {
        endEpochBar();
        evalBar = new ProgressBar(io.err, `evaluate epoch ${epoch + 1}`, total, 'img');
      }
      evalBar?.update(done);
    },
    onEpoch: (r) => {
      endEpochBar();
      evalBar?.finish();
      evalBar = undefined;
      io.out.write(epochLine(r, epochLr(r, stepLrs)));
      stepLrs = undefined;
    },
  };
}
