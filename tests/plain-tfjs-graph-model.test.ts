/**
 * A graph model exported by gcnn runs in a plain tfjs app with no gcnn package installed: the
 * browser demo's trained model is frozen (`freezeModel`, what `gcnn export --format graph-model`
 * writes), served over http on 127.0.0.1, and loaded by tests/plain-tfjs/run-graph-model.cjs
 * from a scratch folder whose node_modules holds only the @tensorflow/* packages it needs, on the
 * cpu and wasm backends. Its logits on the ten MNIST-rot test digits of the demo must equal
 * gcnn's within 1e-5 relative, and it must classify them as gcnn does.
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
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { freezeModel, loadModel } from '@gcnn/models';
import { fileSystem, registerFileSystemRouter } from '@gcnn/models/node';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

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
    registerFileSystemRouter();
    const loaded = await loadModel(`${pathToFileURL(join(DEMO, 'model')).href}/model.json`);
    const artifacts = await freezeModel(loaded.model, { normalization: loaded.normalization });
    loaded.model.dispose();
    await fileSystem(join(scratch, 'export')).save?.(artifacts);
    server = createServer((req, res) => {
      try {
        res.end(readFileSync(join(scratch, 'export', (req.url ?? '').replace(/^\//, ''))));
      } catch {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/model.json`;
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
    const loaded = await loadModel(`${pathToFileURL(join(DEMO, 'model')).href}/model.json`);
    const x = tf.tensor4d(images.pixels, images.shape as [number, number, number, number]);
    const logits = loaded.predict(x);
    const expected = Array.from(await logits.data());
    tf.dispose([x, logits]);
    loaded.model.dispose();
    const scale = Math.max(...expected.map(Math.abs));
    const diff = Math.max(...expected.map((v, i) => Math.abs(v - (out.logits[i] as number))));
    expect(diff / scale).toBeLessThanOrEqual(1e-5);
    const argmax = (v: number[], row: number) => {
      const r = v.slice(row * 10, row * 10 + 10);
      return r.indexOf(Math.max(...r));
    };
    for (let i = 0; i < 10; i++) expect(argmax(out.logits, i)).toBe(argmax(expected, i));
    expect(
      images.labels.filter((l, i) => argmax(out.logits, i) === l).length,
    ).toBeGreaterThanOrEqual(9);
  });
});
