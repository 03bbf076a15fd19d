/** Canvas and DOM drawing helpers of the demo page (no tfjs here). */

/** The page's element with id `id`. */
export const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Draws an `h×w` grayscale image with values in [0, 1] (0 black) onto `canvas`, scaled to fit. */
export function drawGray(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  h: number,
  w: number,
) {
  const img = new ImageData(w, h);
  for (let i = 0; i < h * w; i++) {
    const v = Math.max(0, Math.min(255, Math.round((values[i] as number) * 255)));
    img.data[4 * i] = v;
    img.data[4 * i + 1] = v;
    img.data[4 * i + 2] = v;
    img.data[4 * i + 3] = 255;
  }
  blit(canvas, img);
}

/**
 * Draws an `h×w` map with a diverging colormap: blue negative, white 0, red positive, scaled by
 * `scale` (the largest |value| shown at full colour).
 */
export function drawDiverging(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  h: number,
  w: number,
  scale: number,
) {
  const img = new ImageData(w, h);
  const s = Math.max(scale, 1e-12);
  for (let i = 0; i < h * w; i++) {
    const v = Math.max(-1, Math.min(1, (values[i] as number) / s));
    const [r, g, b] =
      v >= 0 ? [255, 255 * (1 - v), 255 * (1 - v)] : [255 * (1 + v), 255 * (1 + v), 255];
    img.data[4 * i] = r;
    img.data[4 * i + 1] = g;
    img.data[4 * i + 2] = b;
    img.data[4 * i + 3] = 255;
  }
  blit(canvas, img);
}

/** Puts `img` onto `canvas`, scaled with nearest-neighbour sampling. */
function blit(canvas: HTMLCanvasElement, img: ImageData) {
  const tmp = document.createElement('canvas');
  tmp.width = img.width;
  tmp.height = img.height;
  tmp.getContext('2d')!.putImageData(img, 0, 0);
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(tmp, 0, 0, canvas.width, canvas.height);
}

/** A canvas of `w×h` CSS pixels. */
export function makeCanvas(w: number, h: number, className?: string): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  if (className) c.className = className;
  return c;
}

/** An element with text. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

/** Class-probability bar chart: one row per class, the top class highlighted. */
export function drawBars(container: HTMLElement, probs: ArrayLike<number>, labels: string[]) {
  let top = 0;
  for (let i = 1; i < probs.length; i++) if ((probs[i] as number) > (probs[top] as number)) top = i;
  container.replaceChildren();
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i] as number;
    const bar = el('div', undefined, i === top ? 'bar top' : 'bar');
    const fill = el('div');
    fill.style.width = `${(100 * p).toFixed(2)}%`;
    bar.append(fill);
    bar.dataset.class = String(i);
    container.append(el('span', labels[i]), bar, el('span', `${(100 * p).toFixed(1)}%`, 'pct'));
  }
}
