import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TorchCheckpointExpected } from './torch-checkpoint-data';

export * from './torch-checkpoint-data';

/** Folder of the PyTorch checkpoint fixtures (see fixtures/torch-checkpoints/README.md). */
export const TORCH_CHECKPOINT_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../fixtures/torch-checkpoints',
);

/** The bytes of `fixtures/torch-checkpoints/<file>` (e.g. `se2_ckgresnet_separable.pt`). */
export async function loadTorchCheckpointFile(file: string): Promise<Uint8Array> {
  return new Uint8Array(readFileSync(join(TORCH_CHECKPOINT_DIR, file)));
}

/** `fixtures/torch-checkpoints/<name>.expected.json`. */
export function loadTorchCheckpointExpected(name: string): TorchCheckpointExpected {
  return JSON.parse(
    readFileSync(join(TORCH_CHECKPOINT_DIR, `${name}.expected.json`), 'utf8'),
  ) as TorchCheckpointExpected;
}
