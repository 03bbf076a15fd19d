/**
 * Run by packages-install.test.ts with Node in a scratch project that installed the packed gcnn
 * libraries (not the CLI) from their tarballs, as a user's app does. Prints one JSON line:
 * - `entries`: every export of every installed `@gcnn/*` package, imported (`ok` or the error);
 * - `backends`: per backend (cpu, wasm + training kernels, through `selectBackend`), a small
 *   separable SE(2) CK-G-ResNet's logits and their gradient with respect to the input images;
 * - `missing`: what `loadMnist` and `loadGalaxy10` say without their optional peers installed.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const scope = join(process.cwd(), 'node_modules/@gcnn');
const entries = {};
for (const dir of readdirSync(scope)) {
  const manifest = JSON.parse(readFileSync(join(scope, dir, 'package.json'), 'utf8'));
  for (const subpath of Object.keys(manifest.exports ?? { '.': {} })) {
    if (subpath === './package.json') continue;
    const specifier = manifest.name + subpath.slice(1);
    try {
      await import(specifier);
      entries[specifier] = 'ok';
    } catch (error) {
      entries[specifier] = String(error?.stack ?? error);
    }
  }
}

const tf = await import('@tensorflow/tfjs-core');
const { selectBackend } = await import('@gcnn/backends');
const { createModel, MODEL_PRESETS } = await import('@gcnn/models');
// The reference's SE(2) separable CK-G-ResNet for MNIST-rot, made small.
const preset = MODEL_PRESETS['se2-separable'];
const config = {
  ...preset,
  sampleCount: 4,
  hiddenSizes: [4, 8],
  kernelSize: 5,
  kernelNet: { ...preset.kernelNet, hiddenSize: 8 },
};
const size = preset.imageSize;
const images = Array.from({ length: 2 * size * size }, (_, i) => Math.sin(i * 0.37) * 0.5 + 0.5);
const backends = {};
for (const name of ['cpu', 'wasm']) {
  await selectBackend(name);
  const before = tf.memory().numTensors;
  const model = createModel(config);
  const x = tf.tensor4d(images, [2, size, size, 1]);
  const logits = tf.tidy(() => model.apply(x, { training: false }));
  const grad = tf.grad((input) => tf.sum(tf.square(model.apply(input, { training: false }))))(x);
  backends[name] = {
    backend: tf.getBackend(),
    logitsShape: logits.shape,
    logits: Array.from(await logits.data()),
    gradient: Array.from(await grad.data()),
  };
  tf.dispose([x, logits, grad]);
  model.dispose();
  backends[name].leaked = tf.memory().numTensors - before;
}

const missing = {};
const { loadGalaxy10, loadMnist } = await import('@gcnn/datasets/node');
try {
  loadMnist({ split: 'test' });
  missing.mnist = 'loaded';
} catch (error) {
  missing.mnist = String(error.message);
}
// An HDF5 signature and nothing else: loadGalaxy10 gets as far as loading h5wasm.
const h5 = join(process.cwd(), 'fake-galaxy10.h5');
writeFileSync(h5, Uint8Array.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]));
try {
  await loadGalaxy10({ file: h5 });
  missing.galaxy10 = 'loaded';
} catch (error) {
  missing.galaxy10 = String(error.message);
}

console.log(JSON.stringify({ entries, backends, missing }));
