// A plain tfjs app, run from a scratch folder whose node_modules holds only @tensorflow/*
// packages (no @gcnn package can be resolved): loads a graph model exported by
// `gcnn export --format graph-model` over http with tfjs-converter and prints its logits.
// Usage: node run-graph-model.cjs <cpu|wasm> <model.json URL> <images.json>
// images.json: { "shape": [n, h, w, c], "pixels": [...] } with pixels in [0, 1].
const { readFileSync } = require('node:fs');
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
require('@tensorflow/tfjs-backend-wasm');
const { loadGraphModel } = require('@tensorflow/tfjs-converter');

async function main() {
  const [backend, url, imagesFile] = process.argv.slice(2);
  await tf.setBackend(backend);
  const model = await loadGraphModel(url);
  const images = JSON.parse(readFileSync(imagesFile, 'utf8'));
  const x = tf.tensor4d(images.pixels, images.shape);
  const logits = model.predict(x);
  const resolved = Object.keys(require.cache).filter((f) => f.includes('@gcnn'));
  process.stdout.write(
    JSON.stringify({
      backend: tf.getBackend(),
      shape: logits.shape,
      logits: Array.from(await logits.data()),
      gcnnModules: resolved,
    }),
  );
}
main().catch((e) => {
  process.stderr.write(`${e.stack}\n`);
  process.exit(1);
});
