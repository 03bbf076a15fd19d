import { resolve } from 'node:path';
import { type ModelConfig, modelConfigFromJson } from '@gcnn/models';
import type { LoadedCheckpoint, TrainConfig } from '@gcnn/training';
import { loadCheckpoint } from '@gcnn/training/node';
import type { FlagValues, GivenFlags } from './flag-spec';
import type { CliIo } from './io';
import { loadModelSource, type ModelSource } from './model-source';
import { resolveRun, type TrainFlags } from './resolve-config';
import { RESUME_FLAGS } from './train-flags';
import { memoryLimit } from './train-memory';
import { UsageError } from './usage-error';

type Checkpoint = LoadedCheckpoint & { path: string };

/** What `gcnn train` runs: a new run (resolved from its flags) or a resumed one (from its checkpoint). */
export interface TrainPlan {
  model: ModelConfig;
  /** The training config (`dataset` and `evalEvery` included). */
  train: TrainConfig;
  /** The run folder. */
  outDir: string;
  /** Replicas (threads) of the data-parallel training; 1: this thread only. */
  workers: number;
  /** Bytes one thread may use for a step (`--memory-limit`, else the backend's; see `memoryLimit`). */
  memoryLimitBytes?: number;
  /** The flags `config.json` records (config file and command line). */
  flags: GivenFlags<TrainFlags>;
  /** The checkpoint a resumed run continues from. */
  resume?: Checkpoint;
  /** The checkpoint or model file `--load` initialises the model from. */
  init?: ModelSource;
}

/**
 * Plans `gcnn train`: with `--resume`, the run's own config from its last checkpoint (only the
 * {@link RESUME_FLAGS} may change it); else the model, training and data from the flags, with
 * `--load`'s model config.
 */
export async function planTrainRun(
  given: GivenFlags<TrainFlags>,
  values: FlagValues<TrainFlags>,
  io: CliIo,
): Promise<TrainPlan> {
  const plan = await (values.resume !== undefined
    ? planResumedRun(values.resume, given, values, io)
    : planNewRun(given, values, io));
  const limit = memoryLimit(values['memory-limit'], values.backend, plan.workers);
  return limit === undefined ? plan : { ...plan, memoryLimitBytes: limit };
}

async function planResumedRun(
  resumeDir: string,
  given: GivenFlags<TrainFlags>,
  values: FlagValues<TrainFlags>,
  io: CliIo,
): Promise<TrainPlan> {
  const allowed = new Set<string>(['resume', ...RESUME_FLAGS, 'help']);
  const extra = Object.keys(given).find((k) => !allowed.has(k));
  if (extra !== undefined) {
    throw new UsageError(
      `gcnn train: --resume continues a run with its own config; --${extra} cannot change it (allowed with --resume: ${['resume', ...RESUME_FLAGS].map((a) => `--${a}`).join(', ')})`,
    );
  }
  const outDir = resolve(io.cwd, resumeDir);
  const resume = await loadCheckpoint(outDir, 'last');
  const train = { ...resume.manifest.train };
  if (given['max-steps'] !== undefined) train.maxSteps = given['max-steps'];
  if (given.epochs !== undefined) {
    train.epochs = given.epochs;
    const { kind } = train.lrSchedule;
    if (kind === 'cosine' || kind === 'cosine-steps')
      train.lrSchedule = { kind, epochs: train.epochs };
  }
  if (given['print-interval'] !== undefined) train.printInterval = given['print-interval'];
  if (given['checkpoint-every'] !== undefined) train.checkpointEvery = given['checkpoint-every'];
  if (given['accumulate-steps'] !== undefined) train.accumulateSteps = given['accumulate-steps'];
  if (given.memory !== undefined) train.memory = given.memory;
  if (given['on-nonfinite'] !== undefined) train.onNonFinite = given['on-nonfinite'];
  const { epoch, step } = resume.manifest.progress;
  io.err.write(`gcnn: resuming ${resume.path} at epoch ${epoch}, step ${step}\n`);
  return {
    model: modelConfigFromJson(resume.manifest.modelConfig),
    train,
    outDir,
    workers: values.workers,
    flags: given,
    resume,
  };
}

async function planNewRun(
  given: GivenFlags<TrainFlags>,
  values: FlagValues<TrainFlags>,
  io: CliIo,
): Promise<TrainPlan> {
  const run = resolveRun(given, 'train');
  let model = run.model;
  let init: ModelSource | undefined;
  if (values.load !== undefined) {
    init = await loadModelSource(resolve(io.cwd, values.load), 'best');
    model = init.modelConfig;
    io.err.write(`gcnn: initialising from ${init.path}\n`);
  } else if (values['test-only']) {
    throw new UsageError(
      'gcnn train: --test-only (train.do=False) needs --load <checkpoint> (pretrained.path=…)',
    );
  }
  return {
    model,
    train: run.train,
    outDir: resolve(io.cwd, values.out ?? defaultOutDir(run.values.preset)),
    workers: run.values.workers,
    flags: run.flags,
    ...(init ? { init } : {}),
  };
}

/** `runs/<UTC date and time>-<preset>`. */
function defaultOutDir(preset: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `runs/${stamp}-${preset}`;
}
