/** Learning-rate schedules of the reference (`--learning_rate_cosine`, `--learning_rate_steps`). */
export type LrSchedule =
  | { kind: 'constant' }
  /** `CosineAnnealingLR(T_max = epochs, eta_min = 0)`, stepped once per epoch, no warm-up. */
  | { kind: 'cosine'; epochs: number; etaMin?: number }
  /** `MultiStepLR(milestones, gamma)`: × gamma at each milestone epoch. */
  | { kind: 'multistep'; milestones: readonly number[]; gamma: number }
  /**
   * The cosine annealed after every step rather than every epoch, down to η_min at the end of
   * training: for short runs (the one-epoch default job) where a per-epoch cosine is constant.
   * Not in the reference.
   */
  | { kind: 'cosine-steps'; epochs: number; etaMin?: number };

/** Names of the schedules. */
export const LR_SCHEDULE_KINDS = ['constant', 'cosine', 'multistep', 'cosine-steps'] as const;

/**
 * The learning rate of (0-based) `epoch`, as PyTorch's scheduler gives it when `scheduler.step()`
 * is called after every epoch:
 * - constant: `base`;
 * - cosine: `η_min + (base − η_min)·(1 + cos(π·epoch/T_max))/2` (the closed form of
 *   CosineAnnealingLR; for epoch > T_max it continues the cosine, as PyTorch's does);
 * - multistep: `base·γ^(number of milestones ≤ epoch)`;
 * - cosine-steps: the cosine at the fractional epoch `epoch + epochFraction` (fraction of the
 *   epoch's batches done, in [0, 1)).
 */
export function learningRateAt(
  schedule: LrSchedule,
  base: number,
  epoch: number,
  epochFraction = 0,
): number {
  if (!Number.isInteger(epoch) || epoch < 0) {
    throw new Error(`Error in learningRateAt: epoch must be an integer ≥ 0, got ${epoch}`);
  }
  if (typeof schedule !== 'object' || schedule === null) {
    throw new Error(
      `Error in learningRateAt: schedule must be an object { kind, … }, got ${JSON.stringify(schedule)}`,
    );
  }
  switch (schedule.kind) {
    case 'constant':
      return base;
    case 'cosine':
    case 'cosine-steps': {
      if (!Number.isInteger(schedule.epochs) || schedule.epochs < 1) {
        throw new Error(
          `Error in learningRateAt: cosine epochs (T_max) must be a positive integer, got ${schedule.epochs}`,
        );
      }
      const etaMin = schedule.etaMin ?? 0;
      if (typeof etaMin !== 'number' || !Number.isFinite(etaMin))
        throw new Error(
          `Error in learningRateAt: cosine etaMin must be a finite number, got ${JSON.stringify(etaMin)}`,
        );
      const t = schedule.kind === 'cosine' ? epoch : epoch + epochFraction;
      return etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * t) / schedule.epochs))) / 2;
    }
    case 'multistep': {
      const { milestones, gamma } = schedule;
      if (!Array.isArray(milestones) || !milestones.every((m) => Number.isInteger(m) && m >= 0))
        throw new Error(
          `Error in learningRateAt: multistep milestones must be an array of integers ≥ 0, got ${JSON.stringify(milestones)}`,
        );
      if (typeof gamma !== 'number' || !(Number.isFinite(gamma) && gamma >= 0))
        throw new Error(
          `Error in learningRateAt: multistep gamma must be a finite number ≥ 0, got ${JSON.stringify(gamma)}`,
        );
      const passed = schedule.milestones.filter((m) => m <= epoch).length;
      return base * schedule.gamma ** passed;
    }
    default:
      throw new Error(
        `Error in learningRateAt: schedule kind must be one of ${LR_SCHEDULE_KINDS.join(', ')}, got '${String((schedule as { kind: unknown }).kind)}'`,
      );
  }
}
