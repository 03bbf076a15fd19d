import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temp folder for a test file and its cleanup; tests only. */
export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'gcnn-datasets-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
