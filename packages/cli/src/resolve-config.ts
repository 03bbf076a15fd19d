import { readFileSync } from 'node:fs';
import { DATASET_INFO, type DatasetId } from '@gcnn/datasets';
import { groupByName, resolveGroupGrid } from '@gcnn/lie-groups';
import {
  MODEL_PRESETS,
  type ModelConfig,
  type ModelPresetName,
  validateModelConfig,
} from '@gcnn/models';
import type { LrSchedule, OptimizerConfig, TrainConfig } from '@gcnn/training';
import { convertFlagValue, type FlagSpec, type FlagValues, UsageError } from './flags';

/**
 * Training settings of the default main job (`gcnn train` with no flags; `pnpm start` adds
 * `--workers 2`): chosen to reach the best MNIST-rot test accuracy within ~5 minutes on a 2-core
 * machine with the wasm backend on 2 threads, evaluating once at the end on the 50,000 test
 * images (measured; see the README).
 */
export const DEFAULT_JOB_TRAINING = {
  epochs: 3,
  batchSize: 32,
  learningRate: 2e-3,
  optimizer: 'adam',
  weightDecay: 0,
  // Few epochs: a per-epoch cosine would be coarse, so anneal per step.
  lrSchedule: 'cosine-steps',
  evalEvery: 0,
} as const;

/** The reference README's recipe (reference §7.1), used with every non-default preset. */
export const REFERENCE_TRAINING = {
  epochs: 300,
  batchSize: 64,
  learningRate: 1e-4,
  optimizer: 'adam',
  weightDecay: 1e-4,
  lrSchedule: 'cosine',
  evalEvery: 1,
} as const;

/** Everything a training run is built from. */
export interface ResolvedRun {
  model: ModelConfig;
  train: TrainConfig;
  dataset: {
    id: DatasetId;
    dataDir?: string;
    limitTrain?: number;
    limitTest?: number;
    augment?: boolean;
  };
  /** Evaluate on the test set every N epochs (0: only after the last epoch). */
  evalEvery: number;
  /** The merged flag values (config file + command line). */
  flags: FlagValues;
}

const toKebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/_/g, '-');

/**
 * Reads a `--config` JSON file: an object of flag values (kebab-, camel- or snake-case keys), or
 * a run's `config.json` (its `flags` entry is used). Unknown keys and bad values fail naming the
 * file and the key.
 */
export function readConfigFile(
  path: string,
  specs: readonly FlagSpec[],
  command: string,
): FlagValues {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`gcnn ${command}: --config ${path}: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new UsageError(
      `gcnn ${command}: --config ${path} must hold a JSON object of flag values`,
    );
  }
  const obj = (json as Record<string, unknown>).flags ?? json;
  const byName = new Map<string, FlagSpec>();
  for (const s of specs) {
    byName.set(s.name, s);
    for (const a of s.aliases ?? []) byName.set(a, s);
  }
  const out: FlagValues = {};
  for (const [key, value] of Object.entries(obj as Record<string, unknown>)) {
    const spec = byName.get(toKebab(key));
    if (!spec || spec.name === 'config' || spec.name === 'help') {
      throw new UsageError(
        `gcnn ${command}: --config ${path}: unknown key '${key}' (keys are flag names, e.g. "hidden-sizes")`,
      );
    }
    try {
      out[spec.name] = convertFlagValue(spec, value, command);
    } catch (error) {
      throw new UsageError(`${(error as Error).message} (in --config ${path})`);
    }
  }
  return out;
}

const num = (v: FlagValues[string] | undefined) => v as number | undefined;

/** Builds the model config from a preset, the dataset's shape and the model flags; validates it. */
export function resolveModelConfig(values: FlagValues, command: string): ModelConfig {
  const preset = (values.preset as ModelPresetName | undefined) ?? 'default';
  const base = MODEL_PRESETS[preset];
  const dataset = (values.dataset as DatasetId | undefined) ?? 'mnist-rot';
  const info = DATASET_INFO[dataset];
  const cfg: ModelConfig = {
    ...structuredClone(base as ModelConfig),
    inChannels: info.channels,
    imageSize: info.height,
    numClasses: info.numClasses,
  };
  const set = <K extends keyof ModelConfig>(
    flag: string,
    key: K,
    map?: (v: never) => ModelConfig[K],
  ) => {
    const v = values[flag];
    if (v !== undefined) cfg[key] = (map ? map(v as never) : v) as ModelConfig[K];
  };
  set('model', 'model');
  set('group', 'group');
  set('sampling-method', 'sampling');
  set('max-scale', 'maxScale');
  set('implementation', 'implementation');
  set('hidden-sizes', 'hiddenSizes');
  set('widen-factor', 'widenFactor');
  set('kernel-size', 'kernelSize');
  set('stride', 'stride');
  set('padding', 'padding');
  set('pooling', 'pooling');
  set('normalization', 'normalization');
  set('dropout', 'dropout');
  set('compatibility', 'compatibility');
  const kn = { ...cfg.kernelNet };
  if (values['ck-net-num-hidden'] !== undefined)
    kn.numHidden = num(values['ck-net-num-hidden']) as number;
  if (values['ck-net-hidden-size'] !== undefined)
    kn.hiddenSize = num(values['ck-net-hidden-size']) as number;
  if (values['first-omega-0'] !== undefined)
    kn.firstOmega0 = num(values['first-omega-0']) as number;
  if (values['omega-0'] !== undefined) kn.omega0 = num(values['omega-0']) as number;
  cfg.kernelNet = kn;
  if (values.seed !== undefined) cfg.seed = values.seed as number;
  if (cfg.group === 'SE2') delete cfg.maxScale;
  if (cfg.model === 'ckgcnn') delete cfg.widenFactor;
  try {
    const elements = values['num-group-elements'] as number[] | undefined;
    if (elements !== undefined) {
      const { subgroup } = groupByName({ name: cfg.group, maxScale: cfg.maxScale });
      cfg.sampleCount = resolveGroupGrid(subgroup, elements, '--num-group-elements').sampleCount;
    }
    return validateModelConfig(cfg);
  } catch (error) {
    throw new UsageError(`gcnn ${command}: invalid model: ${(error as Error).message}`);
  }
}

/** Resolves `gcnn train`'s flags (config file, then command line) into model, training and data settings. */
export function resolveRun(
  values: FlagValues,
  specs: readonly FlagSpec[],
  command: string,
): ResolvedRun {
  const fromFile =
    typeof values.config === 'string' ? readConfigFile(values.config, specs, command) : {};
  const flags: FlagValues = { ...fromFile, ...values };
  delete flags.config;
  const model = resolveModelConfig(flags, command);
  const preset = (flags.preset as string | undefined) ?? 'default';
  const d = preset === 'default' ? DEFAULT_JOB_TRAINING : REFERENCE_TRAINING;
  const epochs = num(flags.epochs) ?? d.epochs;
  const steps = flags['lr-steps'] as number[] | undefined;
  const kind =
    (flags['lr-schedule'] as LrSchedule['kind'] | undefined) ??
    (steps && steps.length > 0 ? 'multistep' : d.lrSchedule);
  let lrSchedule: LrSchedule;
  if (kind === 'cosine' || kind === 'cosine-steps') lrSchedule = { kind, epochs };
  else if (kind === 'multistep') {
    if (!steps || steps.length === 0) {
      throw new UsageError(
        `gcnn ${command}: --lr-schedule multistep needs --lr-steps (e.g. --lr-steps 100,150)`,
      );
    }
    lrSchedule = { kind, milestones: steps, gamma: num(flags['lr-gamma']) ?? 0.1 };
  } else lrSchedule = { kind: 'constant' };
  const optimizer: OptimizerConfig = {
    name: (flags.optimizer as OptimizerConfig['name'] | undefined) ?? d.optimizer,
    weightDecay: num(flags['weight-decay']) ?? d.weightDecay,
  };
  if (optimizer.name === 'sgd') {
    optimizer.momentum = num(flags.momentum) ?? 0;
    optimizer.nesterov = (flags.nesterov as boolean | undefined) ?? false;
    if (optimizer.nesterov && optimizer.momentum <= 0) {
      throw new UsageError(`gcnn ${command}: --nesterov needs --momentum > 0`);
    }
  } else if (flags.momentum !== undefined || flags.nesterov !== undefined) {
    throw new UsageError(
      `gcnn ${command}: --momentum and --nesterov apply to --optimizer sgd only`,
    );
  }
  const batchSize = num(flags['batch-size']) ?? d.batchSize;
  const dataset = {
    id: ((flags.dataset as DatasetId | undefined) ?? 'mnist-rot') as DatasetId,
    dataDir: flags['data-dir'] as string | undefined,
    limitTrain: num(flags['limit-train']),
    limitTest: num(flags['limit-test']),
    augment: flags.augment as boolean | undefined,
  };
  const train: TrainConfig = {
    epochs,
    batchSize,
    learningRate: num(flags['learning-rate']) ?? d.learningRate,
    optimizer,
    lrSchedule,
    seed: num(flags.seed) ?? 0,
    evalBatchSize: num(flags['eval-batch-size']) ?? Math.max(batchSize, 100),
    printInterval: num(flags['print-interval']) ?? 10,
    checkpointEvery: num(flags['checkpoint-every']) ?? 200,
    ...(flags['max-steps'] !== undefined ? { maxSteps: num(flags['max-steps']) } : {}),
    dataset,
  };
  return { model, train, dataset, evalEvery: num(flags['eval-every']) ?? d.evalEvery, flags };
}
