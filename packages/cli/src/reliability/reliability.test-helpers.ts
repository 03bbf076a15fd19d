/**
 * Shared scaffolding of the CLI's reliability tests: a tiny run (the default preset at 4,966
 * parameters on 64 MNIST-rot images, 4 steps per epoch, a checkpoint every 2 steps) and a byte
 * snapshot of a folder. Not exported from the package.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** `gcnn train` flags of a tiny run on wasm: 64 train / 32 test images, batch 16, 2 epochs. */
export const TINY = [
  ...['--limit-train', '64', '--limit-test', '32', '--batch-size', '16', '--epochs', '2'],
  ...['--hidden-sizes', '4,4', '--num-group-elements', '4', '--kernel-size', '3'],
  ...['--ck-net-hidden-size', '8', '--checkpoint-every', '2', '--print-interval', '1'],
  ...['--backend', 'wasm'],
];

/** Every file under `dir` (recursively, sorted) with its bytes (base64); folders as `folder`. */
export function folderSnapshot(dir: string): Array<[string, string]> {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .sort()
    .map((f) => {
      const path = join(dir, f);
      return [f, statSync(path).isFile() ? readFileSync(path, 'base64') : 'folder'];
    });
}
