/**
 * The browser demo: a trained gcnn model (SE(2), 8 rotations) on the webgl backend. The first
 * load shows its steps and progress; then the input, prediction, feature-map and kernel panels
 * update together whenever the input or its rotation changes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { pickBackend } from './backend';
import { createFeaturesPanel, liveliestChannel, profilesOf } from './features-panel';
import { createInputPanel, type DigitsFile, N } from './input-panel';
import { createKernelsPanel } from './kernels-panel';
import { countingFetch, LoadProgress, type LoadStep } from './load-progress';
import { type Kernels, ModelRunner } from './model-runner';
import { renderPrediction } from './prediction-panel';
import { byId, drawGray } from './render';
import { UpdateLoop } from './update-loop';

/** What the page shows now; `window.gcnnDemo.state` for tests and the curious. */
export interface DemoState {
  backend: string;
  /** The embedded digit shown (index into digits.json), or -1 for a drawing. */
  digit: number;
  label: number | null;
  angle: number;
  predicted: number;
  probability: number;
  probs: number[];
  /** The channel whose feature maps are shown. */
  channel: number;
  /** For the shown channel: the group element whose map has the largest value. */
  argmaxG: number;
  /** Per channel, per group element: the largest value of that feature map. */
  profiles: number[][];
  groupSize: number;
  /** Increments after every finished update. */
  seq: number;
}

declare global {
  interface Window {
    gcnnDemo?: { state: DemoState | null; runner?: ModelRunner; loadSteps: LoadStep[] };
  }
}

function setStatus(text: string, kind: 'info' | 'warn' | 'error' = 'info') {
  const s = byId('status');
  s.textContent = text;
  s.className = `status${kind === 'info' ? '' : ` ${kind}`}`;
}

const degrees = (rad: number) => `${Math.round((rad * 180) / Math.PI)}°`;

/** Everything the page needs from the network and the backend, loaded with progress shown. */
async function load(progress: LoadProgress) {
  progress.step(1, 'starting the tfjs backend (WebGL)');
  const backend = await pickBackend();
  tf.enableProdMode();
  document.body.dataset.backend = backend.name;
  progress.step(2, 'downloading and building the model');
  const base = new URL('./', document.baseURI);
  const [runner, digits] = await Promise.all([
    ModelRunner.load(new URL('model/', base), {
      fetchFunc: countingFetch((file, received, total) => progress.bytes(file, received, total)),
      onProgress: (fraction) => progress.fraction(fraction),
    }),
    fetch(new URL('digits.json', base)).then((r) => r.json() as Promise<DigitsFile>),
  ]);
  progress.step(3, `sampling the lifting kernels at the ${runner.groupSize} rotations`);
  const kernels = await runner.kernels();
  return { backend, runner, digits, kernels };
}

/** The footer's model line and the counts in the text. */
function showModelInfo(runner: ModelRunner) {
  const { config, groupSize: G } = runner;
  const meta = runner.metadata as { testAccuracy?: number; parameters?: number };
  const accuracy = meta.testAccuracy;
  byId('group-size').textContent = String(G);
  byId('model-info').textContent =
    `${config.model} ${config.group} N=${G} ${config.implementation}, ${
      meta.parameters?.toLocaleString('en-US') ?? '?'
    } parameters${accuracy !== undefined ? `, ${(accuracy * 100).toFixed(2)}% MNIST-rot test accuracy` : ''}`;
  byId('tf-version').textContent = tf.version_core;
}

/** The rotation slider and its snap box; `onChange` after every change. Returns the angle in degrees. */
function attachRotation(G: number, onChange: () => void): () => number {
  const step = 360 / G;
  const slider = byId<HTMLInputElement>('angle');
  const snap = byId<HTMLInputElement>('snap');
  byId('snap-step').textContent = `${step}°`;
  slider.step = String(step);
  snap.addEventListener('change', () => {
    slider.step = snap.checked ? String(step) : '1';
    if (snap.checked) slider.value = String(Math.round(Number(slider.value) / step) * step);
    onChange();
  });
  slider.addEventListener('input', onChange);
  return () => Number(slider.value);
}

/** Wires the panels to the model; returns the update loop (the first `schedule()` draws the page). */
function startDemo(runner: ModelRunner, kernels: Kernels, digits: DigitsFile): UpdateLoop {
  const labels = runner.elements.map((e) => `θ=${degrees(e[0] as number)}`);
  const angles = runner.elements.map((e) => degrees(e[0] as number));
  const select = byId<HTMLSelectElement>('channel');
  let channel = -1;
  let seq = 0;
  let redraw: (() => void) | null = null;
  const pick = (c: number) => {
    channel = c;
    select.value = String(c);
    kernelsPanel.select(c);
    redraw?.();
  };
  const loop = new UpdateLoop(update, (error) =>
    setStatus(`Error: ${(error as Error).message}`, 'error'),
  );
  // A failed update has shown its error (onError); the page stays as it was.
  const request = () => void loop.schedule().catch(() => undefined);
  const input = createInputPanel(digits, request);
  const angle = attachRotation(runner.groupSize, request);
  const features = createFeaturesPanel(byId('feature-maps'), labels);
  const kernelsPanel = createKernelsPanel(byId('kernels'), kernels, angles, pick);
  for (let c = 0; c < kernels.channels; c++) select.append(new Option(String(c), String(c)));
  select.addEventListener('change', () => pick(Number(select.value)));

  async function update() {
    const deg = angle();
    for (const id of ['angle-value', 'angle-label']) byId(id).textContent = `${deg}°`;
    input.showSelection();
    const p = await runner.predict(input.image(), (deg * Math.PI) / 180);
    drawGray(byId<HTMLCanvasElement>('model-input'), p.input, N, N);
    const profiles = profilesOf(p);
    if (channel < 0) pick(liveliestChannel(profiles));
    redraw = () => features.render(p, channel, profiles[channel] as number[]);
    const argmaxG = features.render(p, channel, profiles[channel] as number[]);
    const probs = Array.from(p.probs);
    const digit = input.digit();
    const label = digit >= 0 ? (digits.digits[digit]?.label ?? null) : null;
    const predicted = renderPrediction(probs, label);
    seq++;
    const state: DemoState = {
      ...{ backend: tf.getBackend(), digit, label, angle: deg, predicted, probs, channel, argmaxG },
      ...{ probability: probs[predicted] as number, profiles, groupSize: runner.groupSize, seq },
    };
    window.gcnnDemo = {
      ...window.gcnnDemo,
      state,
      runner,
      loadSteps: window.gcnnDemo?.loadSteps ?? [],
    };
    const data = { seq, angle: deg, digit, predicted };
    for (const [k, v] of Object.entries(data)) byId('result').dataset[k] = String(v);
  }
  return loop;
}

async function main() {
  const bar = byId<HTMLProgressElement>('load-progress');
  const progress = new LoadProgress(byId('status'), bar, 4);
  window.gcnnDemo = { state: null, loadSteps: progress.steps };
  const { backend, runner, digits, kernels } = await load(progress);
  showModelInfo(runner);
  const loop = startDemo(runner, kernels, digits);
  progress.step(
    4,
    `first prediction: compiling the ${backend.name === 'webgl' ? 'WebGL shaders (once)' : 'kernels'}`,
  );
  await loop.schedule();
  progress.done();
  setStatus(
    backend.note ?? `Running on the ${tf.getBackend()} backend.`,
    backend.note ? 'warn' : 'info',
  );
  document.body.dataset.ready = 'true';
}

main().catch((error) => {
  byId('load-progress').hidden = true;
  setStatus(`Error: ${(error as Error).message}`, 'error');
  console.error(error);
});
