import type { ModelConfig, ModelKernelNetConfig } from '@gcnn/models';
import type { OptimizerConfig, TrainConfig } from '@gcnn/training';
import type { FlagTable, FlagValue } from './flag-spec';

type Fields<Prefix extends string, T> = {
  [K in keyof T & string as `${Prefix}.${K}`]-?: T[K];
};

/**
 * Every config field a flag can set, by its dotted key into the resolved run
 * (`ResolvedRun` of resolve-config.ts: `model`, `train`, `dataset`), with the field's type.
 */
export type ConfigFields = Fields<'model', ModelConfig> &
  Fields<'model.kernelNet', ModelKernelNetConfig> &
  Fields<'train', TrainConfig> &
  Fields<'train.optimizer', OptimizerConfig> &
  Fields<'dataset', NonNullable<TrainConfig['dataset']>>;

/** A dotted config key: `model.hiddenSizes`, `model.kernelNet.omega0`, `train.batchSize`, … */
export type ConfigKey = keyof ConfigFields;

/** The config keys whose field takes a value of type `T`. */
export type ConfigKeyFor<T> = {
  [K in ConfigKey]: [T] extends [ConfigFields[K]] ? K : never;
}[ConfigKey];

/** The value at a dotted path of `config` (`model.hiddenSizes`; undefined where a step is missing). */
export function configValueAt(config: object, path: string): unknown {
  let value: unknown = config;
  for (const part of path.split('.')) {
    value = typeof value === 'object' && value !== null ? Reflect.get(value, part) : undefined;
  }
  return value;
}

/**
 * Sets the field at a dotted key of `config` (its parents must exist). The flag table's types
 * make `value` fit the field (see `flag` in flag-spec.ts).
 */
export function setConfigValue(config: object, key: ConfigKey, value: unknown): void {
  const parts = key.split('.');
  const field = parts.pop() as string;
  const parent = configValueAt(config, parts.join('.'));
  if (typeof parent !== 'object' || parent === null) {
    throw new Error(`Error in setConfigValue: no object at '${parts.join('.')}' for '${key}'`);
  }
  Reflect.set(parent, field, value);
}

/** `[key, value]` of every flag of `table` that names a config key and has a value, in table order. */
export function configEntries<T extends FlagTable>(
  table: T,
  values: { [K in keyof T]?: FlagValue | undefined },
): Array<[ConfigKey, FlagValue]> {
  const out: Array<[ConfigKey, FlagValue]> = [];
  for (const name of Object.keys(table) as Array<keyof T & string>) {
    const key = table[name]?.key;
    const value = values[name];
    if (key !== undefined && value !== undefined) out.push([key, value]);
  }
  return out;
}
