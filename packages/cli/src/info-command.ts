import { createRequire } from 'node:module';
import { type Classifier, createModel, type GroupClassifier, type ModelConfig } from '@gcnn/models';
import * as tf from '@tensorflow/tfjs-core';
import { probeBackends, selectCommandBackend } from './backend';
import { type CommandSpec, parseCommand } from './command-spec';
import { BACKEND_FLAG, GPU_ADAPTER_FLAG, HELP_FLAG } from './common-flags';
import { withDefault, withDefaults } from './flag-spec';
import type { CliIo } from './io';
import { MODEL_FLAGS } from './model-flags';
import { quarterTurnBreaks } from './quarter-turn-check';
import { resolveModelConfig, withConfigFile } from './resolve-config';

const INFO_FLAGS = {
  ...MODEL_FLAGS,
  backend: withDefault(BACKEND_FLAG, 'cpu'),
  'gpu-adapter': GPU_ADAPTER_FLAG,
  help: HELP_FLAG,
};

export const INFO_COMMAND: CommandSpec<typeof INFO_FLAGS> = {
  name: 'info',
  usage: 'gcnn info [model flags]',
  summary:
    'Print versions, available backends, and the parameter count and per-layer output shapes of a model (default: the `default` preset on MNIST-rot).',
  flags: INFO_FLAGS,
};

/** The packages whose versions `gcnn info` prints. */
const PACKAGES = [
  '@gcnn/cli',
  '@gcnn/models',
  '@gcnn/group-conv',
  '@gcnn/kernel-nets',
  '@gcnn/lie-groups',
  '@gcnn/datasets',
  '@gcnn/training',
  '@gcnn/tfjs-wasm-training',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-wasm',
];

/** Version of an installed package (from its package.json), or `—`. */
export function versionOf(pkg: string): string {
  try {
    const require = createRequire(import.meta.url);
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return '—';
  }
}

/** `gcnn info`: versions, backends, and a model's parameter count and per-layer output shapes. */
export async function infoCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(INFO_COMMAND, argv, io);
  if (!parsed) return 0;
  const values = withDefaults(INFO_FLAGS, withConfigFile(parsed.given, INFO_FLAGS, 'info'));
  const config = resolveModelConfig(values, 'info');
  const lines: string[] = ['Versions:', `  node ${process.versions.node}`];
  for (const pkg of PACKAGES) lines.push(`  ${pkg} ${versionOf(pkg)}`);
  lines.push('', 'Backends:');
  for (const b of await probeBackends())
    lines.push(`  ${b.available ? '✓' : '✗'} ${b.name.padEnd(10)} ${b.note}`);
  const backend = await selectCommandBackend(values, io);
  lines.push('', `Model (${values.preset} preset, ${values.dataset}, backend ${backend}):`);
  lines.push(...modelLines(config));
  io.out.write(`${lines.join('\n')}\n`);
  return 0;
}

/** Whether the model is exactly invariant to quarter turns, and if not why. */
function quarterTurnText(model: Classifier): string {
  const breaks = quarterTurnBreaks(model, true);
  return breaks.length === 0
    ? 'exactly invariant (every conv and pool maps onto itself under a quarter turn)'
    : `not exactly invariant: ${breaks.join('; ')}`;
}

/** A model's config, trainable parameters, and output shape and parameters of every layer. */
function modelLines(config: ModelConfig): string[] {
  const model = createModel(config) as GroupClassifier & ReturnType<typeof createModel>;
  try {
    const lines = [
      `  ${JSON.stringify(config)}`,
      `  trainable parameters: ${model.parameterCount().toLocaleString('en-US')}`,
      `  90° rotations: ${quarterTurnText(model)}`,
    ];
    const x = tf.zeros([1, config.imageSize, config.imageSize, config.inChannels]) as tf.Tensor4D;
    const trace = model.applyTraced(x, { training: false });
    const params = new Map<string, number>();
    for (const [name, v] of model.namedVariables()) {
      if (!v.trainable) continue;
      const top = name
        .split('.')
        .slice(0, name.startsWith('layers.') ? 2 : 1)
        .join('.');
      params.set(top, (params.get(top) ?? 0) + v.size);
    }
    const row = (name: string, shape: number[], parameters: number) =>
      `  ${name.padEnd(21)} [${shape.join(', ')}]`.padEnd(61) + parameters.toLocaleString('en-US');
    lines.push('  layer                 output shape [batch, h, w, G, C]      parameters');
    for (const [name, t] of Object.entries(trace.intermediates))
      lines.push(row(name, t.shape, params.get(name) ?? 0));
    lines.push(row('logits', trace.logits.shape, params.get('finalLinear') ?? 0));
    tf.dispose([x, trace.logits, ...Object.values(trace.intermediates)]);
    return lines;
  } finally {
    model.dispose();
  }
}
