import { Adadelta } from './adadelta';
import { Adam } from './adam';
import type { Optimizer, OptimizerName } from './optimizer';
import { SGD } from './sgd';

/** Every optimizer name, for validation and help texts. */
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['adam', 'sgd', 'adadelta'];

/** The optimizer part of a training config (the reference's `--optim`, `--momentum`, …). */
export interface OptimizerConfig {
  name: OptimizerName;
  weightDecay?: number;
  /** SGD only. */
  momentum?: number;
  /** SGD only. */
  nesterov?: boolean;
}

/** Builds the optimizer of a config (PyTorch defaults for everything not in it). */
export function createOptimizer(config: OptimizerConfig): Optimizer {
  switch (config.name) {
    case 'adam':
      return new Adam({ weightDecay: config.weightDecay });
    case 'sgd':
      return new SGD({
        weightDecay: config.weightDecay,
        momentum: config.momentum,
        nesterov: config.nesterov,
      });
    case 'adadelta':
      return new Adadelta({ weightDecay: config.weightDecay });
    default:
      throw new Error(
        `Error in createOptimizer: name must be one of ${OPTIMIZER_NAMES.join(', ')}, got '${String((config as { name: unknown }).name)}'`,
      );
  }
}

/** State tensors per parameter an optimizer of `config` keeps (Adam, Adadelta 2; SGD with momentum 1). */
export function optimizerSlotCount(config: OptimizerConfig): number {
  if (config.name === 'sgd') return config.momentum ? 1 : 0;
  return 2;
}
