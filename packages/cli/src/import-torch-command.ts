import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { DATASET_INFO, type DatasetId } from '@gcnn/datasets';
import { COMPATIBILITY_MODES } from '@gcnn/group-conv';
import { encodeModelFile, type ModelConfig } from '@gcnn/models';
import {
  type LoadedTorchCheckpoint,
  loadTorchCheckpoint,
  readTorchCheckpoint,
  torchCheckpointKind,
} from '@gcnn/torch-import';
import { selectBackend } from './backend';
import { type CommandSpec, parseCommand } from './command-spec';
import { HELP_FLAG } from './common-flags';
import { type FlagValues, flag, type GivenFlags, withDefaults } from './flag-spec';
import type { CliIo } from './io';
import { MODEL_FLAGS } from './model-flags';
import { resolveModelConfig, withConfigFile } from './resolve-config';
import { errorMessage, UsageError } from './usage-error';
import { writeModelFile } from './write-model-file';

const IMPORT_FLAGS = {
  out: flag.string({
    description: 'Output folder for <name>.json and <name>.weights.bin',
    default: 'imported',
  }),
  name: flag.string({ description: 'Base name of the two files', default: 'model' }),
  ...MODEL_FLAGS,
  // The imported model keeps the reference's numerics unless asked otherwise.
  compatibility: flag.choice(COMPATIBILITY_MODES, {
    description: MODEL_FLAGS.compatibility.description,
    default: 'reference',
    section: MODEL_FLAGS.compatibility.section,
  }),
  help: HELP_FLAG,
};

type ImportFlags = typeof IMPORT_FLAGS;

/** Model flags that describe the architecture (not `--compatibility` or `--dataset`, which apply to both kinds). */
const ARCHITECTURE_FLAGS = Object.keys(MODEL_FLAGS).filter(
  (n): n is keyof typeof MODEL_FLAGS => n !== 'compatibility' && n !== 'dataset',
);

const USAGE = 'gcnn import-torch <checkpoint.pt> [--out <dir>] [model flags, for a state dict]';

export const IMPORT_TORCH_COMMAND: CommandSpec<ImportFlags> = {
  name: 'import-torch',
  usage: USAGE,
  summary: [
    'Convert a checkpoint of the PyTorch reference into a gcnn model file (<name>.json + <name>.weights.bin, the format of gcnn export), for gcnn evaluate --checkpoint, gcnn train --load and the browser (loadModelFromBuffers of @gcnn/models).',
    "A whole-module checkpoint (torch.save(model), as the reference's train_model.py saves) needs no flags: the model config is read from the module. A state dict (torch.save(model.state_dict())) needs its model: --preset, --config or the model flags of gcnn train (--dataset sets the image size and classes).",
    "Nothing in the file is executed. The model uses the reference's numerics (--compatibility reference, the default here), so it gives the reference's logits, equivariance quirks included (docs/guide/torch-checkpoints.md).",
  ].join('\n\n'),
  flags: IMPORT_FLAGS,
};

/** The state dict's config from the flags; for a whole module, none (and no architecture flags allowed). */
function configFor(
  kind: string,
  given: GivenFlags<ImportFlags>,
  file: string,
): ModelConfig | undefined {
  const named = ARCHITECTURE_FLAGS.filter((n) => given[n] !== undefined);
  if (kind === 'module') {
    if (named.length > 0)
      throw new UsageError(
        `gcnn import-torch: ${file} is a whole module, which holds its own config; --${named[0]} is for state-dict checkpoints (allowed here: --compatibility, --dataset, --out, --name)`,
      );
    return undefined;
  }
  if (named.length === 0)
    throw new UsageError(
      `gcnn import-torch: ${file} is a state dict, which holds no model config: give its model with --preset, --config or the model flags of gcnn train (see gcnn import-torch --help)`,
    );
  // As gcnn train resolves it; the loader then sets the compatibility (--compatibility, else reference).
  const flags = withConfigFile(given, IMPORT_FLAGS, 'import-torch');
  return resolveModelConfig(withDefaults(MODEL_FLAGS, flags), 'import-torch');
}

/** The dataset a model of this shape was trained on: `--dataset`, else MNIST-rot (the reference's default) when the shapes fit. */
function datasetFor(config: ModelConfig, given: GivenFlags<ImportFlags>): DatasetId | undefined {
  const id = given.dataset ?? 'mnist-rot';
  const info = DATASET_INFO[id];
  const fits =
    info.channels === config.inChannels &&
    info.height === config.imageSize &&
    info.numClasses === config.numClasses;
  if (!fits && given.dataset !== undefined)
    throw new UsageError(
      `gcnn import-torch: --dataset ${id} has ${info.height}×${info.width}×${info.channels} images and ${info.numClasses} classes; the checkpoint's model takes ${config.imageSize}×${config.imageSize}×${config.inChannels} and ${config.numClasses} classes`,
    );
  return fits ? id : undefined;
}

function describe(loaded: LoadedTorchCheckpoint, file: string): string {
  const c = loaded.config;
  const what = loaded.kind === 'module' ? `a whole ${loaded.className} module` : 'a state dict';
  return [
    `gcnn: ${file}: ${what} (PyTorch archive format ${loaded.formatVersion ?? 'unknown'})${loaded.kind === 'module' ? '; config read from the module' : '; config from the flags'}:`,
    `  ${c.model} ${c.group}${c.maxScale !== undefined ? ` (max scale ${c.maxScale})` : ''} ${c.implementation}, N=${JSON.stringify(c.sampleCount)} ${c.sampling}, hidden ${c.hiddenSizes.join(',')}, k=${c.kernelSize}, kernel nets ${c.kernelNet.numHidden}×${c.kernelNet.hiddenSize} (ω₀ ${c.kernelNet.firstOmega0}/${c.kernelNet.omega0}), ${c.normalization}, ${c.inChannels}×${c.imageSize}×${c.imageSize} → ${c.numClasses} classes`,
    c.compatibility === 'reference'
      ? "gcnn: compatibility 'reference': the reference's numerics, quirks included, so the logits are the reference's (docs/guide/torch-checkpoints.md)"
      : "gcnn: compatibility 'gcnn': exactly equivariant numerics; logits differ from the reference's where a quirk applies (Sim(2), R²⋊R⁺)",
  ].join('\n');
}

/**
 * `gcnn import-torch`: a checkpoint of the PyTorch reference (`.pt`) as a gcnn model file, read
 * without executing anything (`@gcnn/torch-import`), checked by reading the written files back.
 */
export async function importTorchCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(IMPORT_TORCH_COMMAND, argv, io);
  if (!parsed) return 0;
  const { given, positionals } = parsed;
  const values = withDefaults(IMPORT_FLAGS, given);
  if (positionals.length !== 1)
    throw new UsageError(
      `gcnn import-torch: give one checkpoint file (.pt), got ${positionals.length}; usage: ${USAGE}`,
    );
  if (!/^[\w.-]+$/.test(values.name))
    throw new UsageError(
      `gcnn import-torch: --name must be a plain file name (letters, digits, '.', '_', '-'), got "${values.name}"`,
    );
  const file = resolve(io.cwd, positionals[0] as string);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new UsageError(`gcnn import-torch: cannot read ${file}: ${errorMessage(error)}`);
  }
  const checkpoint = readTorchCheckpoint(bytes, { source: file });
  const config = configFor(torchCheckpointKind(checkpoint, file), given, file);
  await selectBackend('cpu');
  const loaded = loadTorchCheckpoint(checkpoint, {
    source: file,
    config,
    compatibility: values.compatibility,
  });
  try {
    io.err.write(`${describe(loaded, file)}\n`);
    await writeImported(loaded, { file, bytes, given, values, io });
    return 0;
  } finally {
    loaded.model.dispose();
  }
}

async function writeImported(
  loaded: LoadedTorchCheckpoint,
  o: {
    file: string;
    bytes: Uint8Array;
    given: GivenFlags<ImportFlags>;
    values: FlagValues<ImportFlags>;
    io: CliIo;
  },
): Promise<void> {
  const { model, config } = loaded;
  const { name, out } = o.values;
  const dataset = datasetFor(config, o.given);
  const weightsFile = `${name}.weights.bin`;
  const { json, bytes } = await encodeModelFile(model, {
    weightsFile,
    normalization: dataset
      ? {
          mean: [...DATASET_INFO[dataset].normalization.mean],
          std: [...DATASET_INFO[dataset].normalization.std],
        }
      : null,
    metadata: {
      ...(dataset ? { dataset } : {}),
      parameters: model.parameterCount(),
      torch: {
        file: basename(o.file),
        kind: loaded.kind,
        ...(loaded.className ? { className: loaded.className } : {}),
        ...(loaded.hyperparameters ? { hyperparameters: loaded.hyperparameters } : {}),
        sha256: createHash('sha256').update(o.bytes).digest('hex'),
      },
      importedAt: new Date().toISOString(),
    },
  });
  const outDir = resolve(o.io.cwd, out);
  const onNotice = (line: string) => o.io.err.write(`gcnn: ${line}\n`);
  const { jsonPath, binPath } = await writeModelFile(
    model,
    { json, bytes },
    outDir,
    name,
    onNotice,
  );
  o.io.out.write(
    `wrote ${jsonPath} and ${binPath} (${bytes.length.toLocaleString('en-US')} bytes, ${model.parameterCount().toLocaleString('en-US')} parameters${dataset ? `, ${dataset} input normalization` : ', no dataset: normalization null'})\n`,
  );
}
