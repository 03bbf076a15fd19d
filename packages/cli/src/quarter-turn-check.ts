import { type Classifier, GroupClassifier, quarterTurnMisalignments } from '@gcnn/models';
import type { CliIo } from './io';
import { UsageError } from './usage-error';

/**
 * Why `model` is not exactly invariant to quarter turns (90° rotations) of its inputs: each conv
 * or pool whose windows a quarter turn does not map onto themselves at the model's input size
 * (`quarterTurnMisalignments`, e.g. a 2×2 max pool on an odd size), and with `grid` also sampled
 * rotations that do not include the quarter turns (R not divisible by 4, or no rotations at all).
 * Empty: exactly invariant (up to float round-off).
 */
export function quarterTurnBreaks(model: Classifier, grid: boolean): string[] {
  if (!(model instanceof GroupClassifier)) return [];
  const rotations = model.config.group === 'R2xRplus' ? 0 : model.lifting.grid.nRotations;
  const breaks = quarterTurnMisalignments(model).map(
    (m) => `${m.layer} (${m.op}) gets ${m.inputSize}×${m.inputSize}: ${m.reason}`,
  );
  if (grid && rotations % 4 !== 0) {
    breaks.unshift(
      rotations === 0
        ? `${model.config.group} has no rotations`
        : `its ${rotations} sampled rotations do not include the quarter turns`,
    );
  }
  return rotations === 0 && !grid ? [] : breaks;
}

/**
 * Warns when the input size breaks a rotation model's exact invariance to quarter turns (see
 * {@link quarterTurnBreaks}); with `strict` (`--strict-equivariance`) refuses it, and also a model
 * whose sampled rotations do not include the quarter turns.
 */
export function checkQuarterTurns(
  model: Classifier,
  strict: boolean,
  command: string,
  io: CliIo,
): void {
  const breaks = quarterTurnBreaks(model, strict);
  if (breaks.length === 0) return;
  const { imageSize } = model.config;
  const message = `the model is not exactly invariant to 90° rotations of its ${imageSize}×${imageSize} inputs: ${breaks.join('; ')}`;
  if (strict) throw new UsageError(`gcnn ${command}: --strict-equivariance: ${message}`);
  io.err.write(
    `gcnn ${command}: warning: ${message}. It is only approximately invariant (even sizes at every 2×2 pool keep it exact); --strict-equivariance refuses such a model\n`,
  );
}
