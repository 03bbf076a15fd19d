/**
 * A plain tfjs web page (tests/plain-tfjs-graph-model.test.ts bundles it with esbuild): it imports
 * only @tensorflow/* packages, loads the graph model that gcnn exported (`model/model.json`, served
 * beside it) with tfjs-converter on the webgl backend, runs it on `images.json` and reports its
 * logits to `window.plainTfjs`.
 */
import '@tensorflow/tfjs-backend-webgl';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';

export interface PlainTfjsReport {
  backend: string;
  shape: number[];
  logits: number[];
  /** Set instead of the rest when the page failed. */
  error?: string;
}

async function main(): Promise<PlainTfjsReport> {
  await tf.setBackend('webgl');
  const model = await loadGraphModel('model/model.json');
  const images: { shape: [number, number, number, number]; pixels: number[] } = await (
    await fetch('images.json')
  ).json();
  const x = tf.tensor4d(images.pixels, images.shape);
  const logits = model.predict(x) as tf.Tensor;
  const report = {
    backend: tf.getBackend(),
    shape: logits.shape,
    logits: Array.from(await logits.data()),
  };
  tf.dispose([x, logits]);
  model.dispose();
  return report;
}

declare global {
  interface Window {
    plainTfjs?: PlainTfjsReport;
  }
}

main().then(
  (report) => {
    window.plainTfjs = report;
  },
  (error: unknown) => {
    window.plainTfjs = { backend: '', shape: [], logits: [], error: String(error) };
  },
);
