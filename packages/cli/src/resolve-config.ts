import { readFileSync } from 'node:fs';
import { DATASET_INFO, type DatasetId } from '@gcnn/datasets';
import { groupByName, resolveGroupGrid } from '@gcnn/lie-groups';
import { MODEL_PRESETS, type ModelConfig, validateModelConfig } from '@gcnn/models';
import type { LrSchedule, OptimizerConfig, TrainConfig } from '@gcnn/training';
import { configEntries, setConfigValue } from './config-keys';
import {
  type FlagTable,
  type FlagValue,
  type FlagValues,
  type GivenFlags,
  withDefaults,
} from './flag-spec';
import { MODEL_FLAGS } from './model-flags';
import { convertFlagValue, flagLookup } from './parse-flags';
import { TRAIN_FLAGS } from './train-flags';
import { MIN_EVAL_BATCH_SIZE, trainingDefaults } from './training-defaults';
import { errorMessage, UsageError } from './usage-error';

/** The flags of `gcnn train`. */
export type TrainFlags = typeof TRAIN_FLAGS;
/** The model flags (`train`, `info`, `visualize`). */
export type ModelFlags = typeof MODEL_FLAGS;

/** The data a run trains and tests on. */
export interface RunDataset {
  id: DatasetId;
  dataDir?: string;
  limitTrain?: number;
  limitTest?: number;
  augment?: boolean;
}

/** Everything a training run is built from. */
export interface ResolvedRun {
  model: ModelConfig;
  /** The training config (`evalEvery` and `dataset` included). */
  train: TrainConfig;
  /** The run's data (the same object as `train.dataset`). */
  dataset: RunDataset;
  /** The flags given (config file, then command line), as `config.json` records them. */
  flags: GivenFlags<TrainFlags>;
  /** Every flag's value: the given ones, else the table's defaults. */
  values: FlagValues<TrainFlags>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const toKebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/_/g, '-');

/**
 * Reads a `--config` JSON file: an object of flag values (kebab-, camel- or snake-case keys), or
 * a run's `config.json` (its `flags` entry is used). Unknown keys and bad values fail naming the
 * file and the key.
 */
export function readConfigFile<T extends FlagTable>(
  path: string,
  table: T,
  command: string,
): GivenFlags<T> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`gcnn ${command}: --config ${path}: ${errorMessage(error)}`);
  }
  // A run's config.json holds the flags under `flags`.
  const entries = isObject(json) ? (json.flags ?? json) : json;
  if (!isObject(entries)) {
    throw new UsageError(
      `gcnn ${command}: --config ${path} must hold a JSON object of flag values`,
    );
  }
  const byName = flagLookup(table);
  const given: Record<string, FlagValue> = {};
  for (const [key, value] of Object.entries(entries)) {
    const flag = byName.get(toKebab(key));
    if (!flag || flag.name === 'config' || flag.name === 'help') {
      throw new UsageError(
        `gcnn ${command}: --config ${path}: unknown key '${key}' (keys are flag names, e.g. "hidden-sizes")`,
      );
    }
    try {
      given[flag.name] = convertFlagValue(flag.name, flag.spec, value, command);
    } catch (error) {
      throw new UsageError(`${errorMessage(error)} (in --config ${path})`);
    }
  }
  return given as GivenFlags<T>;
}

/** The given flags over those of their `--config` file (if any); `config` itself is dropped. */
export function withConfigFile<T extends FlagTable & { config: FlagTable[string] }>(
  given: GivenFlags<T>,
  table: T,
  command: string,
): GivenFlags<T> {
  const path = given.config;
  const merged = { ...(typeof path === 'string' ? readConfigFile(path, table, command) : {}) };
  Object.assign(merged, given);
  delete merged.config;
  return merged;
}

/**
 * Builds the model config: the preset, the dataset's input shape and classes, then every model
 * flag given, written to the field its table entry names (`key`); validates it.
 */
export function resolveModelConfig(
  values: FlagValues<ModelFlags> & { seed?: number },
  command: string,
): ModelConfig {
  const info = DATASET_INFO[values.dataset];
  const cfg: ModelConfig = {
    ...structuredClone(MODEL_PRESETS[values.preset]),
    inChannels: info.channels,
    imageSize: info.height,
    numClasses: info.numClasses,
  };
  for (const [key, value] of configEntries(MODEL_FLAGS, values)) {
    if (key.startsWith('model.')) setConfigValue({ model: cfg }, key, value);
  }
  if (values.seed !== undefined) cfg.seed = values.seed;
  if (cfg.group === 'SE2') delete cfg.maxScale;
  if (cfg.model === 'ckgcnn') delete cfg.widenFactor;
  try {
    const elements = values['num-group-elements'];
    if (elements !== undefined) {
      const { subgroup } = groupByName({ name: cfg.group, maxScale: cfg.maxScale });
      cfg.sampleCount = resolveGroupGrid(subgroup, elements, '--num-group-elements').sampleCount;
    }
    return validateModelConfig(cfg);
  } catch (error) {
    throw new UsageError(`gcnn ${command}: invalid model: ${errorMessage(error)}`);
  }
}

type TrainValues = FlagValues<TrainFlags>;
type TrainingDefaults = ReturnType<typeof trainingDefaults>;

/** The optimizer: momentum and Nesterov only for SGD. */
function resolveOptimizer(
  values: TrainValues,
  given: GivenFlags<TrainFlags>,
  defaults: TrainingDefaults,
  command: string,
): OptimizerConfig {
  const optimizer: OptimizerConfig = {
    name: values.optimizer ?? defaults.optimizer,
    weightDecay: values['weight-decay'] ?? defaults.weightDecay,
  };
  if (optimizer.name === 'sgd') {
    optimizer.momentum = values.momentum;
    optimizer.nesterov = values.nesterov;
    if (optimizer.nesterov && optimizer.momentum <= 0) {
      throw new UsageError(`gcnn ${command}: --nesterov needs --momentum > 0`);
    }
  } else if (given.momentum !== undefined || given.nesterov !== undefined) {
    throw new UsageError(
      `gcnn ${command}: --momentum and --nesterov apply to --optimizer sgd only`,
    );
  }
  return optimizer;
}

/** The schedule: `--lr-schedule`, else multistep when `--lr-steps` is given, else the preset's. */
function resolveLrSchedule(
  values: TrainValues,
  epochs: number,
  defaults: TrainingDefaults,
  command: string,
): LrSchedule {
  const steps = values['lr-steps'];
  const kind =
    values['lr-schedule'] ?? (steps && steps.length > 0 ? 'multistep' : defaults.lrSchedule);
  if (kind === 'cosine' || kind === 'cosine-steps') return { kind, epochs };
  if (kind === 'multistep') {
    if (!steps || steps.length === 0) {
      throw new UsageError(
        `gcnn ${command}: --lr-schedule multistep needs --lr-steps (e.g. --lr-steps 100,150)`,
      );
    }
    return { kind, milestones: steps, gamma: values['lr-gamma'] };
  }
  return { kind: 'constant' };
}

/** Resolves `gcnn train`'s flags (config file, then command line) into model, training and data settings. */
export function resolveRun(given: GivenFlags<TrainFlags>, command: string): ResolvedRun {
  const flags = withConfigFile(given, TRAIN_FLAGS, command);
  const values = withDefaults(TRAIN_FLAGS, flags);
  const model = resolveModelConfig(values, command);
  const defaults = trainingDefaults(values.preset);
  const epochs = values.epochs ?? defaults.epochs;
  const batchSize = values['batch-size'] ?? defaults.batchSize;
  const dataset: RunDataset = {
    id: values.dataset,
    dataDir: values['data-dir'],
    limitTrain: values['limit-train'],
    limitTest: values['limit-test'],
    augment: values.augment,
  };
  const train: TrainConfig = {
    epochs,
    batchSize,
    learningRate: values['learning-rate'] ?? defaults.learningRate,
    optimizer: resolveOptimizer(values, flags, defaults, command),
    lrSchedule: resolveLrSchedule(values, epochs, defaults, command),
    seed: values.seed,
    evalBatchSize: values['eval-batch-size'] ?? Math.max(batchSize, MIN_EVAL_BATCH_SIZE),
    printInterval: values['print-interval'],
    checkpointEvery: values['checkpoint-every'],
    onNonFinite: values['on-nonfinite'],
    ...(values['max-steps'] !== undefined ? { maxSteps: values['max-steps'] } : {}),
    ...(values['accumulate-steps'] !== undefined
      ? { accumulateSteps: values['accumulate-steps'] }
      : {}),
    ...(values.memory !== undefined ? { memory: values.memory } : {}),
    dataset,
    evalEvery: values['eval-every'] ?? defaults.evalEvery,
  };
  return { model, train, dataset, flags, values };
}
