/**
 * The browser demo: a trained gcnn model (SE(2), 8 rotations) on the webgl backend. The app — not
 * the library — picks the backend: webgl, or cpu with a visible note when WebGL is unavailable
 * (`?backend=cpu` forces cpu).
 */
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { type Kernels, ModelRunner, type Prediction } from './model-runner';
import { drawBars, drawDiverging, drawGray, el, makeCanvas } from './render';

const N = 28;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

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

interface DigitsFile {
  height: number;
  width: number;
  digits: Array<{ index: number; label: number; pixels: string }>;
}

declare global {
  interface Window {
    gcnnDemo?: { state: DemoState | null; runner: ModelRunner };
  }
}

function setStatus(text: string, kind: 'info' | 'warn' | 'error' = 'info') {
  const s = $('status');
  s.textContent = text;
  s.className = `status${kind === 'info' ? '' : ` ${kind}`}`;
}

async function pickBackend(): Promise<{ name: string; note: string | null }> {
  const wanted = new URLSearchParams(location.search).get('backend');
  if (wanted !== 'cpu') {
    try {
      if (await tf.setBackend('webgl')) {
        await tf.ready();
        return { name: 'webgl', note: null };
      }
    } catch {
      // fall through to cpu
    }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return {
    name: 'cpu',
    note:
      wanted === 'cpu'
        ? 'Running on the cpu backend (?backend=cpu).'
        : 'WebGL is unavailable in this browser: running on the (slower) cpu backend instead.',
  };
}

function decodeDigit(base64: string): Float32Array {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return Float32Array.from(bytes, (b) => b / 255);
}

/** Drawing pad → MNIST-like 28×28 image: crop to the ink, fit into 20×20, centre of mass at the centre. */
function padToImage(pad: HTMLCanvasElement): Float32Array | null {
  const ctx = pad.getContext('2d')!;
  const { width: W, height: H } = pad;
  const data = ctx.getImageData(0, 0, W, H).data;
  let [x0, y0, x1, y1] = [W, H, -1, -1];
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      if ((data[4 * (y * W + x)] as number) > 20) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x);
        y1 = Math.max(y1, y);
      }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const s = 20 / Math.max(bw, bh);
  const fit = makeCanvas(Math.max(1, Math.round(bw * s)), Math.max(1, Math.round(bh * s)));
  const fctx = fit.getContext('2d')!;
  fctx.imageSmoothingQuality = 'high';
  fctx.drawImage(pad, x0, y0, bw, bh, 0, 0, fit.width, fit.height);
  const fd = fctx.getImageData(0, 0, fit.width, fit.height).data;
  let [m, mx, my] = [0, 0, 0];
  for (let y = 0; y < fit.height; y++)
    for (let x = 0; x < fit.width; x++) {
      const v = fd[4 * (y * fit.width + x)] as number;
      m += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  const out = makeCanvas(N, N);
  const octx = out.getContext('2d')!;
  octx.fillStyle = '#000';
  octx.fillRect(0, 0, N, N);
  octx.drawImage(fit, Math.round(N / 2 - mx / m), Math.round(N / 2 - my / m));
  const od = octx.getImageData(0, 0, N, N).data;
  return Float32Array.from({ length: N * N }, (_, i) => (od[4 * i] as number) / 255);
}

function degrees(rad: number): string {
  return `${Math.round((rad * 180) / Math.PI)}°`;
}

async function main() {
  $('tf-version').textContent = tf.version_core;
  const backend = await pickBackend();
  tf.enableProdMode();
  document.body.dataset.backend = backend.name;
  setStatus(`Loading the model on the ${backend.name} backend…`);
  const base = new URL('./', document.baseURI);
  const [runner, digitsFile] = await Promise.all([
    ModelRunner.load(new URL('model/', base)),
    fetch(new URL('digits.json', base)).then((r) => r.json() as Promise<DigitsFile>),
  ]);
  const G = runner.groupSize;
  const { config } = runner;
  const meta = runner.metadata as { testAccuracy?: number; parameters?: number };
  $('group-size').textContent = String(G);
  $('model-info').textContent = `${config.model} ${config.group} N=${G} ${config.implementation}, ${
    meta.parameters?.toLocaleString('en-US') ?? '?'
  } parameters${
    meta.testAccuracy !== undefined
      ? `, ${(meta.testAccuracy * 100).toFixed(2)}% MNIST-rot test accuracy`
      : ''
  }`;
  const step = 360 / G;
  $('snap-step').textContent = `${step}°`;
  const slider = $<HTMLInputElement>('angle');
  slider.step = String(step);

  // --- state
  let image: Float32Array = decodeDigit(digitsFile.digits[0]!.pixels);
  let digit = 0;
  let channel = -1;
  let seq = 0;
  let last: Prediction | null = null;
  const kernels = await runner.kernels();

  // --- input: drawing pad and embedded digits
  const pad = $<HTMLCanvasElement>('pad');
  const padCtx = pad.getContext('2d')!;
  const showOnPad = (img: Float32Array) => drawGray(pad, img, N, N);
  const digitButtons: HTMLButtonElement[] = [];
  digitsFile.digits.forEach((d, i) => {
    const b = el('button');
    b.type = 'button';
    b.dataset.digitIndex = String(i);
    b.title = `MNIST-rot test image #${d.index} (label ${d.label})`;
    const c = makeCanvas(42, 42);
    drawGray(c, decodeDigit(d.pixels), N, N);
    b.append(c, el('span', String(d.label)));
    b.addEventListener('click', () => {
      image = decodeDigit(d.pixels);
      digit = i;
      showOnPad(image);
      schedule();
    });
    digitButtons.push(b);
    $('digits').append(b);
  });
  let drawing = false;
  let lastPoint: [number, number] | null = null;
  const point = (e: PointerEvent): [number, number] => {
    const r = pad.getBoundingClientRect();
    return [
      ((e.clientX - r.left) * pad.width) / r.width,
      ((e.clientY - r.top) * pad.height) / r.height,
    ];
  };
  const clearPad = () => {
    padCtx.fillStyle = '#000';
    padCtx.fillRect(0, 0, pad.width, pad.height);
  };
  pad.addEventListener('pointerdown', (e) => {
    if (digit >= 0) clearPad();
    digit = -1;
    drawing = true;
    lastPoint = point(e);
    pad.setPointerCapture(e.pointerId);
  });
  pad.addEventListener('pointermove', (e) => {
    if (!drawing || !lastPoint) return;
    const p = point(e);
    padCtx.strokeStyle = '#fff';
    padCtx.lineWidth = 15;
    padCtx.lineCap = 'round';
    padCtx.lineJoin = 'round';
    padCtx.beginPath();
    padCtx.moveTo(...lastPoint);
    padCtx.lineTo(...p);
    padCtx.stroke();
    lastPoint = p;
  });
  const endStroke = () => {
    if (!drawing) return;
    drawing = false;
    lastPoint = null;
    const img = padToImage(pad);
    if (img) {
      image = img;
      schedule();
    }
  };
  pad.addEventListener('pointerup', endStroke);
  pad.addEventListener('pointercancel', endStroke);
  $('clear').addEventListener('click', () => {
    clearPad();
    digit = -1;
    image = new Float32Array(N * N);
    schedule();
  });
  showOnPad(image);

  // --- rotation
  const snap = $<HTMLInputElement>('snap');
  snap.addEventListener('change', () => {
    slider.step = snap.checked ? String(step) : '1';
    if (snap.checked) slider.value = String(Math.round(Number(slider.value) / step) * step);
    schedule();
  });
  slider.addEventListener('input', () => schedule());

  // --- channel selection (feature maps), kernels grid
  const select = $<HTMLSelectElement>('channel');
  for (let c = 0; c < kernels.channels; c++) select.append(new Option(String(c), String(c)));
  select.addEventListener('change', () => {
    channel = Number(select.value);
    if (last) renderFeatures(last);
    renderKernelSelection();
  });
  const kernelCanvases: HTMLCanvasElement[][] = [];
  const rowLabels: HTMLElement[] = [];
  const renderKernels = (k: Kernels) => {
    // Two blocks of channels side by side: row r shows channels r and r + ⌈C/2⌉.
    const grid = $('kernels');
    const half = Math.ceil(k.channels / 2);
    const blocks = k.channels > 1 ? 2 : 1;
    grid.style.gridTemplateColumns = Array.from(
      { length: blocks },
      () => `auto repeat(${G}, auto)`,
    ).join(' 18px ');
    const heads = () => {
      grid.append(el('span'));
      for (let g = 0; g < G; g++)
        grid.append(el('span', `θ=${degrees(runner.elements[g]![0]!)}`, 'head'));
    };
    for (let b = 0; b < blocks; b++) {
      if (b > 0) grid.append(el('span'));
      heads();
    }
    let scale = 0;
    for (const v of k.values) scale = Math.max(scale, Math.abs(v));
    for (let c = 0; c < k.channels; c++) {
      kernelCanvases.push([]);
      rowLabels.push(el('span', `ch ${c}`, 'row-label'));
    }
    for (let r = 0; r < half; r++) {
      for (let b = 0; b < blocks; b++) {
        const c = r + b * half;
        if (b > 0) grid.append(el('span'));
        if (c >= k.channels) {
          for (let i = 0; i <= G; i++) grid.append(el('span'));
          continue;
        }
        grid.append(rowLabels[c]!);
        for (let g = 0; g < G; g++) {
          const m = new Float32Array(k.k * k.k);
          for (let p = 0; p < k.k * k.k; p++)
            m[p] = k.values[(p * G + g) * k.channels + c] as number;
          const canvas = makeCanvas(36, 36);
          drawDiverging(canvas, m, k.k, k.k, scale);
          canvas.title = `channel ${c}, θ = ${degrees(runner.elements[g]![0]!)}`;
          canvas.addEventListener('click', () => {
            select.value = String(c);
            select.dispatchEvent(new Event('change'));
          });
          kernelCanvases[c]!.push(canvas);
          grid.append(canvas);
        }
      }
    }
  };
  const renderKernelSelection = () => {
    kernelCanvases.forEach((row, c) => {
      for (const canvas of row) canvas.classList.toggle('selected', c === channel);
      rowLabels[c]?.classList.toggle('selected', c === channel);
    });
  };
  renderKernels(kernels);

  // --- feature maps
  const featureFigures: Array<{ fig: HTMLElement; canvas: HTMLCanvasElement; bar: HTMLElement }> =
    [];
  {
    const maps = $('feature-maps');
    maps.style.gridTemplateColumns = `repeat(${G}, auto)`;
    for (let g = 0; g < G; g++) {
      const fig = el('figure');
      const canvas = makeCanvas(N * 4, N * 4);
      const profile = el('div', undefined, 'profile');
      const bar = el('div');
      profile.append(bar);
      fig.append(canvas, profile, el('figcaption', `h${g}: θ=${degrees(runner.elements[g]![0]!)}`));
      fig.dataset.g = String(g);
      maps.append(fig);
      featureFigures.push({ fig, canvas, bar });
    }
  }
  /** Per channel and element: the largest value of the map (invariant to rotating the map by 90°). */
  const profilesOf = (p: Prediction): number[][] => {
    const [h, w, g, c] = p.featureShape;
    const out = Array.from({ length: c }, () => new Array<number>(g).fill(-Infinity));
    for (let i = 0; i < h * w; i++)
      for (let gi = 0; gi < g; gi++)
        for (let ci = 0; ci < c; ci++) {
          const v = p.features[(i * g + gi) * c + ci] as number;
          const row = out[ci]!;
          if (v > row[gi]!) row[gi] = v;
        }
    return out;
  };
  const argmax = (v: ArrayLike<number>) => {
    let best = 0;
    for (let i = 1; i < v.length; i++) if ((v[i] as number) > (v[best] as number)) best = i;
    return best;
  };
  let profiles: number[][] = [];
  const renderFeatures = (p: Prediction) => {
    const [h, w, g, c] = p.featureShape;
    let scale = 0;
    const maps = Array.from({ length: g }, (_, gi) => {
      const m = new Float32Array(h * w);
      for (let i = 0; i < h * w; i++) {
        m[i] = p.features[(i * g + gi) * c + channel] as number;
        scale = Math.max(scale, Math.abs(m[i] as number));
      }
      return m;
    });
    const prof = profiles[channel]!;
    const top = argmax(prof);
    // Bars from a little below the smallest maximum, so differences between elements show.
    const hi = Math.max(...prof);
    const lo = Math.min(...prof) - 0.25 * (hi - Math.min(...prof) || 1);
    maps.forEach((m, gi) => {
      const f = featureFigures[gi]!;
      drawDiverging(f.canvas, m, h, w, scale);
      f.fig.classList.toggle('argmax', gi === top);
      f.bar.style.height = `${(100 * ((prof[gi] as number) - lo)) / Math.max(1e-12, hi - lo)}%`;
    });
    $('feature-maps').dataset.argmaxG = String(top);
    return top;
  };

  // --- updates: the latest request wins; one inference at a time
  let pending = false;
  let running = false;
  function schedule() {
    pending = true;
    if (!running) void run();
  }
  async function run() {
    running = true;
    try {
      while (pending) {
        pending = false;
        const deg = Number(slider.value);
        const angle = (deg * Math.PI) / 180;
        $('angle-value').textContent = `${deg}°`;
        $('angle-label').textContent = `${deg}°`;
        for (const [i, b] of digitButtons.entries()) b.classList.toggle('selected', i === digit);
        const p = await runner.predict(image, angle);
        last = p;
        drawGray($<HTMLCanvasElement>('model-input'), p.input, N, N);
        profiles = profilesOf(p);
        if (channel < 0) {
          // Start with the channel whose strongest element stands out most.
          let best = 0;
          let bestGap = -Infinity;
          profiles.forEach((prof, c) => {
            const sorted = [...prof].sort((a, b) => b - a);
            const gap =
              ((sorted[0] as number) - (sorted[1] as number)) /
              (Math.abs(sorted[0] as number) + 1e-6);
            if (gap > bestGap) [best, bestGap] = [c, gap];
          });
          channel = best;
          select.value = String(channel);
          renderKernelSelection();
        }
        const argmaxG = renderFeatures(p);
        const probs = Array.from(p.probs);
        const predicted = argmax(probs);
        const label = digit >= 0 ? digitsFile.digits[digit]!.label : null;
        drawBars(
          $('bars'),
          probs,
          probs.map((_, i) => String(i)),
        );
        const result = $('result');
        result.replaceChildren(
          'Prediction: ',
          el('strong', String(predicted)),
          ` (${(100 * (probs[predicted] as number)).toFixed(1)}%)`,
          label !== null ? el('span', ` · label ${label}`, 'hint') : '',
        );
        seq++;
        const state: DemoState = {
          backend: tf.getBackend(),
          digit,
          label,
          angle: deg,
          predicted,
          probability: probs[predicted] as number,
          probs,
          channel,
          argmaxG,
          profiles,
          groupSize: G,
          seq,
        };
        window.gcnnDemo = { state, runner };
        Object.assign(result.dataset, {
          seq: String(seq),
          angle: String(deg),
          digit: String(digit),
          predicted: String(predicted),
        });
      }
    } catch (error) {
      setStatus(`Error: ${(error as Error).message}`, 'error');
      throw error;
    } finally {
      running = false;
    }
  }

  window.gcnnDemo = { state: null, runner };
  schedule();
  while (running || pending) await new Promise((r) => setTimeout(r, 20));
  setStatus(
    backend.note ?? `Running on the ${tf.getBackend()} backend.`,
    backend.note ? 'warn' : 'info',
  );
  document.body.dataset.ready = 'true';
}

main().catch((error) => {
  setStatus(`Error: ${(error as Error).message}`, 'error');
  console.error(error);
});
