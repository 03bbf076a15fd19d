/**
 * What every published package (`packages/*` without `"private": true`) must carry, checked here so
 * that a new package gets the same: the MIT LICENSE (npm packs only a package's own), repository,
 * homepage and keywords, the test files left out of `files`, each export's source for typedoc,
 * optional peers declared as peers, and one version with the others under `changeset version`
 * (the fixed group of .changeset/config.json).
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  homepage?: string;
  keywords?: string[];
  repository?: { type: string; url: string; directory?: string };
  files?: string[];
  exports?: Record<string, string | Record<string, string>>;
  engines?: { node?: string };
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  publishConfig?: { access?: string };
}

const readManifest = (dir: string): Manifest =>
  JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const root = readManifest(ROOT);
const published = readdirSync(join(ROOT, 'packages'))
  .map((d) => join(ROOT, 'packages', d))
  .filter((d) => existsSync(join(d, 'package.json')) && !readManifest(d).private);

// Reads files only: runs once, in the cpu project.
describe.skipIf(inject('backend') !== 'cpu')('published package manifests', () => {
  it('finds the published packages', () => {
    expect(published.length).toBeGreaterThanOrEqual(9);
  });

  describe.each(published.map((d) => [d.slice(ROOT.length + 1), d]))('%s', (rel, dir) => {
    const p = readManifest(dir);

    it('carries the MIT LICENSE of the repository', () => {
      expect(p.license).toBe('MIT');
      expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toBe(
        readFileSync(join(ROOT, 'LICENSE'), 'utf8'),
      );
    });

    it('names its repository folder, homepage and keywords', () => {
      expect(p.repository).toEqual({ ...root.repository, directory: rel });
      expect(p.homepage).toMatch(new RegExp(`^${root.homepage?.replace(/#readme$/, '')}/`));
      expect(p.keywords?.length ?? 0).toBeGreaterThan(0);
      expect(p.engines?.node).toBe(root.engines?.node);
      expect(p.publishConfig?.access).toBe('public');
    });

    it('leaves test files and test helpers out of the tarball', () => {
      expect(p.files).toEqual(
        expect.arrayContaining(['!src/**/*.test.ts', '!src/**/*.test-helpers.ts']),
      );
    });

    it('names the source of every export for the API reference (`typedoc` condition)', () => {
      for (const [subpath, conditions] of Object.entries(p.exports ?? {}))
        if (typeof conditions === 'object' && conditions['@gcnn/source'])
          expect(conditions.typedoc, subpath).toBe(conditions['@gcnn/source']);
    });

    it('declares every optional peer in peerDependencies', () => {
      for (const name of Object.keys(p.peerDependenciesMeta ?? {}))
        expect(p.peerDependencies?.[name], `${name} in peerDependencies`).toBeDefined();
    });
  });

  describe('changeset version (in a scratch copy)', () => {
    let scratch = '';
    afterAll(() => {
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    });

    it('gives every published package one new version and leaves private ones alone', () => {
      scratch = mkdtempSync(join(tmpdir(), 'gcnn-changesets-'));
      // The workspace's manifests and changesets are all `changeset version` reads.
      const copy = (rel: string) => {
        mkdirSync(dirname(join(scratch, rel)), { recursive: true });
        cpSync(join(ROOT, rel), join(scratch, rel), { recursive: true });
      };
      for (const rel of ['package.json', 'pnpm-workspace.yaml', '.changeset']) copy(rel);
      const workspaceDirs = ['packages', 'tooling', 'examples'].flatMap((d) =>
        readdirSync(join(ROOT, d)).map((e) => `${d}/${e}`),
      );
      for (const rel of [...workspaceDirs, 'benchmarks'])
        if (existsSync(join(ROOT, rel, 'package.json'))) copy(`${rel}/package.json`);
      symlinkSync(join(ROOT, 'node_modules'), join(scratch, 'node_modules'), 'dir');
      // One more change, so that there is something to release even right after a release.
      writeFileSync(
        join(scratch, '.changeset/scratch-release.md'),
        `---\n"${readManifest(published[0] as string).name}": minor\n---\n\nA change.\n`,
      );
      const run = spawnSync(
        process.execPath,
        [join(ROOT, 'node_modules/@changesets/cli/bin.js'), 'version'],
        { cwd: scratch, encoding: 'utf8', timeout: 120_000 },
      );
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
      const versions = published.map((d) => readManifest(join(scratch, d.slice(ROOT.length + 1))));
      expect(
        new Set(versions.map((p) => p.version)).size,
        JSON.stringify(versions.map((p) => [p.name, p.version])),
      ).toBe(1);
      expect(versions[0]?.version).not.toBe(readManifest(published[0] as string).version);
      for (const rel of workspaceDirs.filter((r) => !r.startsWith('packages/')))
        if (existsSync(join(ROOT, rel, 'package.json')))
          expect(readManifest(join(scratch, rel)).version, rel).toBe(
            readManifest(join(ROOT, rel)).version,
          );
    });
  });
});
