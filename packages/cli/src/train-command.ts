import { resolve } from 'node:path';
import { DATASET_INFO, type DatasetId } from '@gcnn/datasets';
import { createModel, type ModelConfig, modelConfigFromJson } from '@gcnn/models';
import {
  disposeCheckpoint,
  type EpochRecord,
  evaluate,
  type LoadedCheckpoint,
  loadModelWeights,
  shardSizes,
  summarySvg,
  type TrainConfig,
  train,
} from '@gcnn/training';
import {
  type DataParallelTrainer,
  loadCheckpoint,
  RUN_FILES,
  RunDirectory,
} from '@gcnn/training/node';
import * as tf from '@tensorflow/tfjs-core';
import { type BackendName, selectBackend } from './backend';
import { type FlagSpec, formatHelp, parseFlags, UsageError } from './flags';
import type { CliIo } from './io';
import { loadDatasets } from './load-datasets';
import { disposeModelSource, loadModelSource, type ModelSource } from './model-source';
import { formatDuration, ProgressBar } from './progress-bar';
import { checkWorkers, startCliReplicas } from './replica-model';
import { resolveRun } from './resolve-config';
import { TRAIN_FLAGS } from './train-flags';

const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? '—' : `${(x * 100).toFixed(2)}%`;

function defaultOutDir(preset: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `runs/${stamp}-${preset}`;
}

/** `gcnn train`: trains (or with --test-only evaluates) a model; returns the exit code. */
export async function trainCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const specs: readonly FlagSpec[] = TRAIN_FLAGS;
  const { values, positionals } = parseFlags(specs, argv, 'train');
  if (values.help) {
    io.out.write(
      formatHelp(
        'gcnn train [flags]',
        'Train a group-equivariant CNN (default: the `default` preset on MNIST-rot, evaluated on the 50,000 test images). Flags override --config, which overrides the preset.',
        specs,
      ),
    );
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(
      `gcnn train: unexpected argument '${positionals[0]}' (flags are --name value)`,
    );
  }
  const started = performance.now();
  const backendName = (values.backend as BackendName | undefined) ?? 'wasm';
  checkWorkers('train', (values.workers as number | undefined) ?? 1, backendName);
  // Before anything creates a tensor (checkpoints are decoded into tensors).
  const backend = await selectBackend(backendName, {
    gpuAdapter: values['gpu-adapter'] as string | undefined,
    log: (line) => io.err.write(`${line}\n`),
  });
  let modelConfig: ModelConfig;
  let trainConfig: TrainConfig;
  let resume: (LoadedCheckpoint & { path: string }) | undefined;
  let init: ModelSource | undefined;
  let outDir: string;
  let flagsForRecord: Record<string, unknown> = values;
  let workers = (values.workers as number | undefined) ?? 1;
  const resumeDir = values.resume as string | undefined;
  if (resumeDir !== undefined) {
    const allowed = new Set([
      'resume',
      'backend',
      'gpu-adapter',
      'max-steps',
      'epochs',
      'print-interval',
      'checkpoint-every',
      'workers',
      'help',
    ]);
    const extra = Object.keys(values).filter((k) => !allowed.has(k));
    if (extra.length > 0) {
      throw new UsageError(
        `gcnn train: --resume continues a run with its own config; --${extra[0]} cannot change it (allowed with --resume: ${[
          ...allowed,
        ]
          .filter((a) => a !== 'help')
          .map((a) => `--${a}`)
          .join(', ')})`,
      );
    }
    outDir = resolve(io.cwd, resumeDir);
    resume = await loadCheckpoint(outDir, 'last');
    modelConfig = modelConfigFromJson(resume.manifest.modelConfig);
    trainConfig = { ...resume.manifest.train };
    if (values['max-steps'] !== undefined) trainConfig.maxSteps = values['max-steps'] as number;
    if (values.epochs !== undefined) {
      trainConfig.epochs = values.epochs as number;
      if (
        trainConfig.lrSchedule.kind === 'cosine' ||
        trainConfig.lrSchedule.kind === 'cosine-steps'
      )
        trainConfig.lrSchedule = { kind: trainConfig.lrSchedule.kind, epochs: trainConfig.epochs };
    }
    if (values['print-interval'] !== undefined)
      trainConfig.printInterval = values['print-interval'] as number;
    if (values['checkpoint-every'] !== undefined)
      trainConfig.checkpointEvery = values['checkpoint-every'] as number;
    io.err.write(
      `gcnn: resuming ${resume.path} at epoch ${resume.manifest.progress.epoch}, step ${resume.manifest.progress.step}\n`,
    );
  } else {
    const run = resolveRun(values, specs, 'train');
    flagsForRecord = run.flags;
    workers = (run.flags.workers as number | undefined) ?? 1;
    modelConfig = run.model;
    trainConfig = { ...run.train, evalEvery: run.evalEvery };
    if (values.load !== undefined) {
      init = await loadModelSource(resolve(io.cwd, values.load as string), 'best');
      modelConfig = init.modelConfig;
      io.err.write(`gcnn: initialising from ${init.path}\n`);
    } else if (values['test-only']) {
      throw new UsageError('gcnn train: --test-only needs --load <checkpoint>');
    }
    outDir = resolve(
      io.cwd,
      (values.out as string | undefined) ??
        defaultOutDir((run.flags.preset as string | undefined) ?? 'default'),
    );
  }

  checkWorkers('train', workers, backendName);

  const ds = trainConfig.dataset ?? { id: 'mnist-rot' };
  const datasetId = ds.id as DatasetId;
  let genBar: ProgressBar | undefined;
  const data = await loadDatasets({
    id: datasetId,
    dataDir: ds.dataDir,
    limitTrain: ds.limitTrain,
    limitTest: ds.limitTest,
    augment: ds.augment,
    onProgress: (done, total) => {
      genBar ??= new ProgressBar(io.err, `generating ${datasetId}`, total, 'img');
      genBar.update(done);
    },
  });
  genBar?.finish();
  const normalization = DATASET_INFO[datasetId].normalization;
  const model = createModel(modelConfig);
  let dataParallel: DataParallelTrainer | undefined;
  try {
    io.err.write(
      `gcnn: ${modelConfig.model} ${modelConfig.group} ${modelConfig.implementation} N=${JSON.stringify(modelConfig.sampleCount)} hidden ${modelConfig.hiddenSizes.join(',')} k=${modelConfig.kernelSize}: ${model.parameterCount().toLocaleString('en-US')} parameters; ${datasetId} ${data.train.count} train / ${data.test.count} test; backend ${backend}\n`,
    );
    if (init) {
      loadModelWeights(model, init, init.path);
      disposeModelSource(init);
    }
    if (values['test-only']) {
      const bar = new ProgressBar(io.err, 'evaluate', data.test.count, 'img');
      const r = await evaluate(model, data.test, {
        batchSize: trainConfig.evalBatchSize ?? trainConfig.batchSize,
        normalization,
        augmentations: data.testAugmentations,
        seed: trainConfig.seed,
        onProgress: (d) => bar.update(d),
      });
      bar.finish();
      io.out.write(
        `test accuracy ${pct(r.accuracy)} (${r.correct}/${r.count}), test loss ${r.loss.toFixed(4)}\n`,
      );
      return 0;
    }

    if (workers > 1) {
      const started = await startCliReplicas({
        model,
        modelConfig,
        workers,
        backend: backendName,
        gpuAdapter: values['gpu-adapter'] as string | undefined,
      });
      dataParallel = started.trainer;
      const shards = shardSizes(trainConfig.batchSize, workers);
      io.err.write(
        `gcnn: data-parallel training on ${workers} replicas (${started.threads}, backend ${backend} in each); batch ${trainConfig.batchSize} split ${shards.join(' + ')}\n`,
      );
    } else {
      io.err.write('gcnn: training on 1 replica (this thread)\n');
    }

    const run = new RunDirectory(outDir);
    const batchesPerEpoch = Math.ceil(data.train.count / trainConfig.batchSize);
    run.setStepsPerEpoch(batchesPerEpoch);
    if (resume) run.truncateMetrics(resume.manifest.progress);
    else
      run.writeConfig({
        command: 'gcnn train',
        flags: flagsForRecord,
        model: modelConfig,
        train: trainConfig,
        backend,
      });
    io.err.write(`gcnn: run folder ${outDir}\n`);

    let bar: ProgressBar | undefined;
    let barEpoch = -1;
    let evalBar: ProgressBar | undefined;
    const delayMs = Number(io.env.GCNN_STEP_DELAY_MS ?? 0);
    const result = await train({
      model,
      trainSet: data.train,
      testSet: data.test,
      config: trainConfig,
      normalization,
      augmentations: data.trainAugmentations,
      testAugmentations: data.testAugmentations,
      resume,
      modelConfig,
      sink: run,
      onStep: async (e) => {
        if (e.epoch !== barEpoch) {
          bar?.finish();
          bar = new ProgressBar(
            io.err,
            `epoch ${e.epoch + 1}/${trainConfig.epochs}`,
            e.batchesPerEpoch,
            'step',
          );
          barEpoch = e.epoch;
        }
        bar?.update(
          e.batch + 1,
          `lr ${e.lr.toExponential(2)}${e.loss !== undefined ? ` loss ${e.loss.toFixed(4)}` : ''}${e.imagesPerSecond ? ` ${e.imagesPerSecond.toFixed(1)} img/s` : ''}`,
        );
        if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      },
      onEvalProgress: (done, total, epoch) => {
        if (done === 0) {
          bar?.finish();
          bar = undefined;
          barEpoch = -1;
          evalBar = new ProgressBar(io.err, `evaluate epoch ${epoch + 1}`, total, 'img');
        }
        evalBar?.update(done);
      },
      onEpoch: (r: EpochRecord) => {
        bar?.finish();
        bar = undefined;
        barEpoch = -1;
        evalBar?.finish();
        evalBar = undefined;
        io.out.write(
          `epoch ${r.epoch + 1}${r.partial ? ' (partial)' : ''}: step ${r.step}, lr ${r.lr.toExponential(2)}, train loss ${r.trainLoss.toFixed(4)}, train acc ${pct(r.trainAccuracy)}, test loss ${r.testLoss === null ? '—' : r.testLoss.toFixed(4)}, test acc ${pct(r.testAccuracy)} (${formatDuration(r.time.elapsedSeconds)})\n`,
        );
      },
      signal: undefined,
      ...(dataParallel ? { dataParallel } : {}),
    });
    resume && disposeCheckpoint(resume);
    const seconds = (performance.now() - started) / 1000;
    const final = result.final;
    const summary = {
      testAccuracy: final?.testAccuracy ?? null,
      testLoss: final?.testLoss ?? null,
      bestTestAccuracy: final?.bestTestAccuracy ?? null,
      bestEpoch: final?.bestEpoch ?? null,
      epochs: result.progress.epoch,
      steps: result.progress.step,
      testImages: data.test.count,
      trainImages: data.train.count,
      parameters: model.parameterCount(),
      backend,
      workers,
      wallSeconds: seconds,
      trainSeconds: result.seconds,
    };
    run.writeFile(RUN_FILES.summaryJson, `${JSON.stringify(summary, null, 2)}\n`);
    run.writeFile(
      RUN_FILES.summary,
      summarySvg(`gcnn train — ${datasetId}`, `test accuracy ${pct(final?.testAccuracy)}`, [
        [
          'model',
          `${modelConfig.model} ${modelConfig.group} ${modelConfig.implementation} N=${JSON.stringify(modelConfig.sampleCount)}`,
        ],
        ['widths / k', `${modelConfig.hiddenSizes.join(',')} / ${modelConfig.kernelSize}`],
        ['parameters', model.parameterCount().toLocaleString('en-US')],
        ['data', `${data.train.count} train / ${data.test.count} test`],
        [
          'optimizer',
          `${trainConfig.optimizer.name} lr ${trainConfig.learningRate} ${trainConfig.lrSchedule.kind}, batch ${trainConfig.batchSize}`,
        ],
        ['epochs / steps', `${result.progress.epoch} / ${result.progress.step}`],
        [
          'best test accuracy',
          `${pct(final?.bestTestAccuracy)} (epoch ${final?.bestEpoch === null || final?.bestEpoch === undefined ? '—' : final.bestEpoch + 1})`,
        ],
        [
          'backend / wall time',
          `${backend}${workers > 1 ? ` × ${workers} threads` : ''} / ${formatDuration(seconds)}`,
        ],
      ]),
    );
    if (final) {
      io.out.write(
        `test accuracy ${pct(final.testAccuracy)} on ${data.test.count} test images (test loss ${final.testLoss === null ? '—' : final.testLoss.toFixed(4)}); best ${pct(final.bestTestAccuracy)}; ${result.progress.step} steps; wall time ${formatDuration(seconds)}; run folder ${outDir}\n`,
      );
    } else {
      io.out.write(`nothing to do: the run in ${outDir} is already finished\n`);
    }
    return 0;
  } finally {
    await dataParallel?.close();
    model.dispose();
    void tf;
  }
}
