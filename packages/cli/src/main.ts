import { evaluateCommand } from './evaluate-command';
import { exportCommand } from './export-command';
import { importTorchCommand } from './import-torch-command';
import { infoCommand, versionOf } from './info-command';
import type { CliIo } from './io';
import { trainCommand } from './train-command';
import { UsageError } from './usage-error';
import { visualizeCommand } from './visualize-command';

const COMMANDS: Record<
  string,
  { run: (argv: readonly string[], io: CliIo) => Promise<number>; summary: string }
> = {
  train: {
    run: trainCommand,
    summary: 'train a model (default: the default preset on MNIST-rot)',
  },
  evaluate: { run: evaluateCommand, summary: 'test accuracy and loss of a checkpoint' },
  export: {
    run: exportCommand,
    summary: "a checkpoint's model as browser-loadable files (model.json + weights)",
  },
  'import-torch': {
    run: importTorchCommand,
    summary: 'a PyTorch checkpoint of the reference (.pt) as a gcnn model file, nothing executed',
  },
  info: { run: infoCommand, summary: "versions, backends, a model's parameters and layer shapes" },
  visualize: {
    run: visualizeCommand,
    summary: 'images of grids, kernels and activations (as the reference notebooks)',
  },
};

/** Top-level help. */
export function mainHelp(): string {
  return [
    'Usage: gcnn <command> [flags]   (gcnn <command> --help or -h for its flags; gcnn --version)',
    '',
    'Separable group-equivariant CNNs on Lie groups (Knigge et al., ICML 2022) on TensorFlow.js.',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(12)} ${c.summary}`),
    '',
  ].join('\n');
}

/**
 * Runs the `gcnn` command line: dispatches to a command and turns usage errors into a message on
 * stderr and exit code 2 (other errors: message, exit code 1). Returns the exit code.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...args] = argv;
  if (first === '--version' || first === '-v') {
    io.out.write(`gcnn ${versionOf('@gcnn/cli')}\n`);
    return 0;
  }
  // `gcnn help <command>` is `gcnn <command> --help`.
  const [command, rest] =
    first === 'help' && args[0] !== undefined ? [args[0], ['--help']] : [first, args];
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out.write(mainHelp());
    return command === undefined ? 2 : 0;
  }
  const entry = COMMANDS[command];
  try {
    if (!entry)
      throw new UsageError(
        `gcnn: unknown command '${command}'; commands: ${Object.keys(COMMANDS).join(', ')}`,
      );
    return await entry.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err.write(`${error.message}\n`);
      return 2;
    }
    const e = error as Error;
    io.err.write(`gcnn ${command}: ${e.message}\n`);
    if (io.env.GCNN_DEBUG) io.err.write(`${e.stack}\n`);
    return 1;
  }
}
