/**
 * A browser app bundled from the *built* packages, as a gcnn user ships one: esbuild bundles
 * tests/browser-bundle/app.ts (its `@gcnn/*` imports resolve to `dist/`, with the `browser` and
 * `default` conditions), the page runs in headless Chromium, and the test checks what a bundle
 * needs from the packages:
 * - `selectBackend` finds every backend the app included: cpu and webgl imported for their side
 *   effect, wasm (+ @gcnn/tfjs-wasm-training's kernels) and webgpu handed over in `packages`;
 * - gradients and chained ops work on each, registered by `@gcnn/lie-groups` from the app's
 *   tfjs-core;
 * - the bundle holds one copy of tfjs-core (one `Tensor` class, one engine getter), i.e.
 *   `@gcnn/lie-groups` ships no copy of tfjs-core's gradient code.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHROMIUM_PATH, chromiumFound } from '../tooling/test-setup/browser';
import type { BackendReport } from './browser-bundle/app';
import { type ModulePage, serveModulePage } from './helpers/module-page';

const ROOT = resolve(import.meta.dirname, '..');
const BUILT_PACKAGES = ['lie-groups', 'backends', 'wasm-training'];

// The page picks its own backends, so this runs once, in the cpu project.
const ONCE = inject('backend') === 'cpu';
if (ONCE && !chromiumFound()) {
  console.warn(
    `\n${'!'.repeat(78)}\n!! tests/browser-bundle.test.ts SKIPPED: no Chromium at ${CHROMIUM_PATH}\n!! (apt-get install -y chromium, or set CHROMIUM_PATH) — bundling is NOT tested\n${'!'.repeat(78)}\n`,
  );
}

/** How often `pattern` occurs in the bundle's JavaScript (every chunk). */
function countInBundle(dir: string, pattern: RegExp): number {
  let n = 0;
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.js')))
    n += readFileSync(join(dir, f), 'utf8').match(new RegExp(pattern, 'g'))?.length ?? 0;
  return n;
}

describe.skipIf(!ONCE || !chromiumFound())('a bundled browser app (esbuild, Chromium)', () => {
  let out = '';
  let site: ModulePage | null = null;
  let page: Page;
  let reports: BackendReport[] = [];
  let theta = 0;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    for (const p of BUILT_PACKAGES)
      if (!existsSync(join(ROOT, 'packages', p, 'dist/index.js')))
        throw new Error(
          `packages/${p}/dist is missing: run pnpm build first (the app bundles dist)`,
        );
    out = mkdtempSync(join(tmpdir(), 'gcnn-browser-bundle-'));
    await build({
      entryPoints: [join(ROOT, 'tests/browser-bundle/app.ts')],
      bundle: true,
      format: 'esm',
      splitting: true,
      platform: 'browser',
      target: 'es2022',
      outdir: out,
      logLevel: 'error',
    });
    // tfjs-backend-wasm fetches its .wasm files from `wasmPaths` (the page's folder).
    const require = createRequire(join(ROOT, 'package.json'));
    const wasmDist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    for (const f of readdirSync(join(wasmDist, 'dist')).filter((f) => f.endsWith('.wasm')))
      copyFileSync(join(wasmDist, 'dist', f), join(out, f));
    site = await serveModulePage(out, 'app.js');
    page = await site.browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${m.text()} (${m.location().url})`);
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.goto(site.url);
    await page.waitForFunction(() => window.gcnnBundle != null, undefined, { timeout: 90_000 });
    const result = await page.evaluate(() => window.gcnnBundle);
    reports = result?.reports ?? [];
    theta = result?.theta ?? 0;
  }, 120_000);

  afterAll(async () => {
    await site?.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('holds one copy of tfjs-core: one Tensor class, one engine getter', () => {
    // Markers of tfjs-core's dist/tensor.js and dist/engine.js; a second copy (as bundled into
    // @gcnn/lie-groups' dist before) makes both 2 (esbuild renames the second getOrMakeEngine2).
    expect(countInBundle(out, /Tensor is disposed\./)).toBe(1);
    expect(countInBundle(out, /function getOrMakeEngine\d*\(/)).toBe(1);
  });

  it.each(['cpu', 'webgl', 'wasm', 'webgpu'])(
    'selects %s and takes a gradient through @gcnn/lie-groups',
    (name) => {
      const report = reports.find((r) => r.requested === name);
      expect(
        report,
        `no report for ${name}; page errors: ${consoleErrors.join('\n')}`,
      ).toBeDefined();
      const r = report as BackendReport;
      expect(r.selected).toBe(name);
      // d/dθ (cos θ + sin θ) = cos θ − sin θ, through tfjs-core's Sin/Cos/Mul/Sum gradients.
      const expected = Math.cos(theta) - Math.sin(theta);
      expect(Math.abs((r.gradient as number) - expected) / Math.abs(expected)).toBeLessThanOrEqual(
        r.bound,
      );
      expect(r.chained).toBe(9);
      expect(r.leaked).toBe(0);
    },
  );

  it('logs no errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
