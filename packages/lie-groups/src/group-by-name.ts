import type { AffineGroup } from './lie-group';
import { R2xRplus } from './r2xrplus';
import { SE2 } from './se2';
import { Sim2 } from './sim2';

/** Names of the affine groups, as used in configs and on the CLI. */
export const GROUP_NAMES = ['SE2', 'R2xRplus', 'Sim2'] as const;
export type GroupName = (typeof GROUP_NAMES)[number];

export interface GroupConfig {
  name: GroupName;
  /** Required for the scale groups `R2xRplus` and `Sim2`. */
  maxScale?: number;
}

/** The affine group named in a (JSON) config. */
export function groupByName(config: GroupConfig): AffineGroup {
  switch (config.name) {
    case 'SE2':
      return SE2;
    case 'R2xRplus':
    case 'Sim2': {
      if (config.maxScale === undefined) {
        throw new Error(
          `Error in groupByName: group '${config.name}' needs maxScale (a number ≥ 1)`,
        );
      }
      return config.name === 'Sim2'
        ? Sim2({ maxScale: config.maxScale })
        : R2xRplus({ maxScale: config.maxScale });
    }
    default:
      throw new Error(
        `Error in groupByName: unknown group '${(config as { name: unknown }).name}', expected one of ${GROUP_NAMES.join(', ')}`,
      );
  }
}
