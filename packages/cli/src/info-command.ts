import { createRequire } from 'node:module';
import { createModel, type GroupClassifier } from '@gcnn/models';
import * as tf from '@tensorflow/tfjs-core';
import { type BackendName, probeBackends, selectBackend } from './backend';
import { type FlagSpec, formatHelp, parseFlags } from './flags';
import type { CliIo } from './io';
import { resolveRun } from './resolve-config';
import { BACKEND_FLAG, GPU_ADAPTER_FLAG, HELP_FLAG, MODEL_FLAGS } from './train-flags';

const INFO_FLAGS: readonly FlagSpec[] = [
  ...MODEL_FLAGS,
  { ...BACKEND_FLAG, defaultText: 'cpu' },
  GPU_ADAPTER_FLAG,
  HELP_FLAG,
];

/** Version of an installed package, or `—`. */
function versionOf(pkg: string): string {
  try {
    const require = createRequire(import.meta.url);
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return '—';
  }
}

/** `gcnn info`: versions, backends, and a model's parameter count and per-layer output shapes. */
export async function infoCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(INFO_FLAGS, argv, 'info');
  if (values.help) {
    io.out.write(
      formatHelp(
        'gcnn info [model flags]',
        'Print versions, available backends, and the parameter count and per-layer output shapes of a model (default: the `default` preset on MNIST-rot).',
        INFO_FLAGS,
      ),
    );
    return 0;
  }
  const run = resolveRun(values, INFO_FLAGS, 'info');
  const lines: string[] = ['Versions:'];
  lines.push(`  node ${process.versions.node}`);
  for (const pkg of [
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
  ]) {
    lines.push(`  ${pkg} ${versionOf(pkg)}`);
  }
  lines.push('', 'Backends:');
  for (const b of await probeBackends())
    lines.push(`  ${b.available ? '✓' : '✗'} ${b.name.padEnd(10)} ${b.note}`);
  const backend = await selectBackend((values.backend as BackendName | undefined) ?? 'cpu', {
    gpuAdapter: values['gpu-adapter'] as string | undefined,
    log: (line) => io.err.write(`${line}\n`),
  });
  const cfg = run.model;
  const model = createModel(cfg) as GroupClassifier & ReturnType<typeof createModel>;
  try {
    lines.push(
      '',
      `Model (${(values.preset as string | undefined) ?? 'default'} preset, ${run.dataset.id}, backend ${backend}):`,
    );
    lines.push(`  ${JSON.stringify(cfg)}`);
    lines.push(`  trainable parameters: ${model.parameterCount().toLocaleString('en-US')}`);
    const x = tf.zeros([1, cfg.imageSize, cfg.imageSize, cfg.inChannels]) as tf.Tensor4D;
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
    lines.push('  layer                 output shape [batch, h, w, G, C]      parameters');
    for (const [name, t] of Object.entries(trace.intermediates)) {
      lines.push(
        `  ${name.padEnd(21)} [${t.shape.join(', ')}]`.padEnd(61) +
          `${(params.get(name) ?? 0).toLocaleString('en-US')}`,
      );
    }
    lines.push(
      `  ${'logits'.padEnd(21)} [${trace.logits.shape.join(', ')}]`.padEnd(61) +
        `${(params.get('finalLinear') ?? 0).toLocaleString('en-US')}`,
    );
    tf.dispose([x, trace.logits, ...Object.values(trace.intermediates)]);
  } finally {
    model.dispose();
  }
  io.out.write(`${lines.join('\n')}\n`);
  return 0;
}
