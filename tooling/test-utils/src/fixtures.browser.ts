/**
 * Browser variant of fixtures.ts (selected by the `browser` condition of package.json's `#fixtures`
 * import): the same exports, reading `fixtures/reference/*.json` through Vite's `import.meta.glob`
 * instead of node:fs. The JSON is bundled as raw text and parsed on first use, once per fixture.
 */
import type { ReferenceFixture } from './fixture-data';

export * from './fixture-data';

declare global {
  interface ImportMeta {
    glob<T>(
      pattern: string,
      options: { eager: true; query: '?raw'; import: 'default' },
    ): Record<string, T>;
  }
}

/** Where the test server serves the reference fixtures (the repository's fixtures/reference). */
export const FIXTURE_DIR = '/fixtures/reference';

const raw = import.meta.glob<string>('../../../fixtures/reference/*.json', {
  eager: true,
  query: '?raw',
  import: 'default',
});

const cache = new Map<string, ReferenceFixture>();

/** Loads `fixtures/reference/<name>.json` (without extension). */
export function loadFixture(name: string): ReferenceFixture {
  let fixture = cache.get(name);
  if (!fixture) {
    const text = raw[`../../../fixtures/reference/${name}.json`];
    if (text === undefined) throw new Error(`loadFixture: no fixture '${name}' in ${FIXTURE_DIR}`);
    fixture = JSON.parse(text) as ReferenceFixture;
    cache.set(name, fixture);
  }
  return fixture;
}
