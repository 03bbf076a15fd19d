/**
 * A graph model exported by gcnn runs in a plain tfjs app with no gcnn package installed: the
 * browser demo's trained model is frozen (`freezeModel`, what `gcnn export --format graph-model`
 * writes), served over http on 127.0.0.1, and loaded by tests/plain-tfjs/run-graph-model.cjs
 * from a scratch folder whose node_modules holds only the @tensorflow/* packages it needs, on the
 * cpu and wasm backends; and, in the cpu project when a Chromium is found, by a web page bundled by
 * esbuild from tests/plain-tfjs/graph-model-page.ts (whose module graph holds only @tensorflow/*
 * packages) on webgl in headless Chromium. Its logits on the ten MNIST-rot test digits of the demo
 * must equal gcnn's within 1e-5 relative, and it must classify them as gcnn does.
 */
import { execFile } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { freezeModel, loadModel } from '@gcnn/models';
import { fileSystem, registerFileSystemRouter } from '@gcnn/models/node';
import * as tf from '@tensorflow/tfjs-core';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chromiumFound } from '../tooling/test-setup/browser';
import { type ModulePage, serveModulePage } from './helpers/module-page';
import { serveDir, serverUrl } from './helpers/serve-dir';
import type { PlainTfjsReport } from './plain-tfjs/graph-model-page';

const ROOT = resolve(import.meta.dirname, '..');
const DEMO = join(ROOT, 'examples/browser-demo/public');
const PACKAGES = ['tfjs-core', 'tfjs-converter', 'tfjs-backend-cpu', 'tfjs-backend-wasm'];

/** The demo's ten MNIST-rot test digits as pixels in [0, 1], `[10, 28, 28, 1]`. */
function digits(): { shape: number[]; pixels: number[]; labels: number[] } {
  const file = JSON.parse(readFileSync(join(DEMO, 'digits.json'), 'utf8'));
  const pixels: number[] = [];
  for (const d of file.digits)
    for (const b of Buffer.from(d.pixels, 'base64')) pixels.push(b / 255);
  return {
    shape: [file.digits.length, file.height, file.width, 1],
    pixels,
    labels: file.digits.map((d: { label: number }) => d.label),
  };
}

/** The demo's model frozen as `gcnn export --format graph-model` writes it, into `dir`. */
async function exportGraphModel(dir: string): Promise<void> {
  registerFileSystemRouter();
  const loaded = await loadModel(`${pathToFileURL(join(DEMO, 'model')).href}/model.json`);
  const artifacts = await freezeModel(loaded.model, { normalization: loaded.normalization });
  loaded.model.dispose();
  await fileSystem(dir).save?.(artifacts);
}

/** gcnn's own logits for `images` (`[n, 10]` flattened), from the demo's model. */
async function gcnnLogits(images: ReturnType<typeof digits>): Promise<number[]> {
  const loaded = await loadModel(`${pathToFileURL(join(DEMO, 'model')).href}/model.json`);
  const x = tf.tensor4d(images.pixels, images.shape as [number, number, number, number]);
  const logits = loaded.predict(x);
  const expected = Array.from(await logits.data());
  tf.dispose([x, logits]);
  loaded.model.dispose();
  return expected;
}

/** Logits within 1e-5 relative of gcnn's, the same classes, and ≥ 9 of the 10 labels right. */
function expectGcnnLogits(actual: number[], expected: number[], labels: number[]): void {
  const scale = Math.max(...expected.map(Math.abs));
  const diff = Math.max(...expected.map((v, i) => Math.abs(v - (actual[i] as number))));
  expect(diff / scale).toBeLessThanOrEqual(1e-5);
  const argmax = (v: number[], row: number) => {
    const r = v.slice(row * 10, row * 10 + 10);
    return r.indexOf(Math.max(...r));
  };
  for (let i = 0; i < labels.length; i++) expect(argmax(actual, i)).toBe(argmax(expected, i));
  expect(labels.filter((l, i) => argmax(actual, i) === l).length).toBeGreaterThanOrEqual(9);
}

// Runs once per Node backend project (cpu, wasm): the scratch app uses the same backend.
const backend = inject('backend') as string;

describe(`a gcnn graph model in plain tfjs (${backend})`, () => {
  let scratch: string;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'plain-tfjs-'));
    mkdirSync(join(scratch, 'node_modules/@tensorflow'), { recursive: true });
    for (const p of PACKAGES)
      symlinkSync(
        join(ROOT, 'node_modules/@tensorflow', p),
        join(scratch, 'node_modules/@tensorflow', p),
      );
    cpSync(join(ROOT, 'tests/plain-tfjs/run-graph-model.cjs'), join(scratch, 'run.cjs'));
    await exportGraphModel(join(scratch, 'export'));
    server = await serveDir(join(scratch, 'export'));
    url = `${serverUrl(server)}model.json`;
  });
  afterAll(() => {
    server?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("loads with tfjs-converter only and gives gcnn's logits on MNIST-rot test digits", async () => {
    const images = digits();
    writeFileSync(join(scratch, 'images.json'), JSON.stringify(images));
    // Asynchronously: this process serves the model over http meanwhile.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['run.cjs', backend, url, 'images.json'],
      { cwd: scratch, encoding: 'utf8', timeout: 120_000 },
    );
    const out = JSON.parse(stdout);
    expect(out.backend).toBe(backend);
    expect(out.gcnnModules).toEqual([]);
    expect(out.shape).toEqual([10, 10]);
    expectGcnnLogits(out.logits, await gcnnLogits(images), images.labels);
  });
});

// The page picks webgl itself, so this runs once, in the cpu project.
const IN_BROWSER = backend === 'cpu' && chromiumFound();

describe.skipIf(!IN_BROWSER)(
  'a gcnn graph model in a plain tfjs web page (webgl, Chromium)',
  () => {
    let out: string;
    let site: ModulePage | null = null;
    let bundled: string[] = [];
    beforeAll(async () => {
      out = mkdtempSync(join(tmpdir(), 'plain-tfjs-page-'));
      const { metafile } = await build({
        entryPoints: [join(ROOT, 'tests/plain-tfjs/graph-model-page.ts')],
        bundle: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        outfile: join(out, 'page.js'),
        metafile: true,
        logLevel: 'error',
      });
      bundled = Object.keys(metafile.inputs);
      writeFileSync(join(out, 'images.json'), JSON.stringify(digits()));
      await exportGraphModel(join(out, 'model'));
      site = await serveModulePage(out, 'page.js');
    }, 120_000);
    afterAll(async () => {
      await site?.close();
      if (out) rmSync(out, { recursive: true, force: true });
    });

    it('bundles no @gcnn module: only @tensorflow/* packages and their dependencies', () => {
      // `(disabled):…`: Node built-ins that tfjs packages mention, left out by the browser platform
      const own = bundled.filter(
        (f) => !f.includes('node_modules/') && !f.startsWith('(disabled)'),
      );
      expect(own).toEqual(['tests/plain-tfjs/graph-model-page.ts']);
      expect(bundled.filter((f) => /@gcnn|packages\//.test(f))).toEqual([]);
      expect(bundled.some((f) => f.includes('@tensorflow/tfjs-converter/'))).toBe(true);
    });

    it("loads with tfjs-converter on webgl and gives gcnn's logits on MNIST-rot test digits", async () => {
      const { browser, url } = site as ModulePage;
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(url);
      await page.waitForFunction(() => window.plainTfjs != null, undefined, { timeout: 90_000 });
      const report = (await page.evaluate(() => window.plainTfjs)) as PlainTfjsReport;
      expect(report.error, errors.join('\n')).toBeUndefined();
      expect(report.backend).toBe('webgl');
      expect(report.shape).toEqual([10, 10]);
      const images = digits();
      expectGcnnLogits(report.logits, await gcnnLogits(images), images.labels);
    }, 120_000);
  },
);
