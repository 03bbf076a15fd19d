import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReferenceFixture } from './fixture-data';

export * from './fixture-data';

/** Folder of the reference fixtures copied into this repository (see fixtures/reference/README.md). */
export const FIXTURE_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../fixtures/reference',
);

const cache = new Map<string, ReferenceFixture>();

/** Loads `fixtures/reference/<name>.json` (without extension). */
export function loadFixture(name: string): ReferenceFixture {
  let fixture = cache.get(name);
  if (!fixture) {
    fixture = JSON.parse(
      readFileSync(join(FIXTURE_DIR, `${name}.json`), 'utf8'),
    ) as ReferenceFixture;
    cache.set(name, fixture);
  }
  return fixture;
}
