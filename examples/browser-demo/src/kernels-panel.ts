/**
 * The lifting kernels panel: every output channel's kernel sampled at every group element, in two
 * blocks of channels that sit side by side on a wide screen and one under the other on a phone.
 * Clicking a kernel picks its channel for the feature maps.
 */
import type { Kernels } from './model-runner';
import { drawDiverging, el, makeCanvas } from './render';

/** The kernel of channel `c` at element `g` as a `[k·k]` map. */
function kernelMap(k: Kernels, c: number, g: number): Float32Array {
  const m = new Float32Array(k.k * k.k);
  for (let p = 0; p < k.k * k.k; p++)
    m[p] = k.values[(p * k.groupSize + g) * k.channels + c] as number;
  return m;
}

/** The panel: `select(c)` outlines channel `c`'s row. */
export interface KernelsPanel {
  select(channel: number): void;
}

/**
 * Draws `kernels` into `container` (blocks of rows `[first, last)`, column heads `labels`, one
 * colour scale for all of them); `onPick(c)` when a kernel of channel `c` is clicked.
 */
export function createKernelsPanel(
  container: HTMLElement,
  kernels: Kernels,
  labels: string[],
  onPick: (channel: number) => void,
): KernelsPanel {
  const G = kernels.groupSize;
  let scale = 0;
  for (const v of kernels.values) scale = Math.max(scale, Math.abs(v));
  const rows: Array<{ label: HTMLElement; canvases: HTMLCanvasElement[] }> = [];
  const half = Math.ceil(kernels.channels / 2);
  const blocks =
    kernels.channels > 1
      ? [
          [0, half],
          [half, kernels.channels],
        ]
      : [[0, 1]];
  for (const [first, last] of blocks as Array<[number, number]>) {
    const block = el('div', undefined, 'kernel-block');
    block.style.setProperty('--cols', String(G));
    block.append(el('span'), ...labels.map((l) => el('span', l, 'head')));
    for (let c = first; c < last; c++) {
      const label = el('span', `ch ${c}`, 'row-label');
      const canvases = Array.from({ length: G }, (_, g) => {
        const canvas = makeCanvas(36, 36);
        drawDiverging(canvas, kernelMap(kernels, c, g), kernels.k, kernels.k, scale);
        canvas.title = `channel ${c}, ${labels[g]}`;
        canvas.addEventListener('click', () => onPick(c));
        return canvas;
      });
      block.append(label, ...canvases);
      rows.push({ label, canvases });
    }
    container.append(block);
  }
  return {
    select(channel) {
      rows.forEach(({ label, canvases }, c) => {
        label.classList.toggle('selected', c === channel);
        for (const canvas of canvases) canvas.classList.toggle('selected', c === channel);
      });
    },
  };
}
