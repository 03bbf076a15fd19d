/**
 * Browser variant of torch-checkpoints.ts (selected by the `browser` condition of package.json's
 * `#torch-checkpoints` import): the checkpoints are fetched from the test server by the URLs Vite
 * gives them (`?url`), the expected JSON is bundled as raw text (`?raw`).
 */
import type { TorchCheckpointExpected } from './torch-checkpoint-data';

export * from './torch-checkpoint-data';

declare global {
  interface ImportMeta {
    glob<T>(
      pattern: string,
      options: { eager: true; query: '?raw' | '?url'; import: 'default' },
    ): Record<string, T>;
  }
}

/** Where the test server serves the checkpoint fixtures (the repository's fixtures/torch-checkpoints). */
export const TORCH_CHECKPOINT_DIR = '/fixtures/torch-checkpoints';

const PREFIX = '../../../fixtures/torch-checkpoints/';
const urls = import.meta.glob<string>('../../../fixtures/torch-checkpoints/*.pt', {
  eager: true,
  query: '?url',
  import: 'default',
});
const expected = import.meta.glob<string>('../../../fixtures/torch-checkpoints/*.expected.json', {
  eager: true,
  query: '?raw',
  import: 'default',
});

/** The bytes of `fixtures/torch-checkpoints/<file>` (e.g. `se2_ckgresnet_separable.pt`). */
export async function loadTorchCheckpointFile(file: string): Promise<Uint8Array> {
  const url = urls[`${PREFIX}${file}`];
  if (url === undefined)
    throw new Error(`loadTorchCheckpointFile: no checkpoint '${file}' in ${TORCH_CHECKPOINT_DIR}`);
  const response = await fetch(url);
  if (!response.ok)
    throw new Error(`loadTorchCheckpointFile: fetching ${url} gave ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** `fixtures/torch-checkpoints/<name>.expected.json`. */
export function loadTorchCheckpointExpected(name: string): TorchCheckpointExpected {
  const text = expected[`${PREFIX}${name}.expected.json`];
  if (text === undefined)
    throw new Error(
      `loadTorchCheckpointExpected: no '${name}.expected.json' in ${TORCH_CHECKPOINT_DIR}`,
    );
  return JSON.parse(text) as TorchCheckpointExpected;
}
