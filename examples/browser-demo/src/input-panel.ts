/**
 * The input panel: a drawing pad (a stroke becomes an MNIST-like 28×28 image), the embedded
 * MNIST-rot test digits, and a Clear button. It owns the current image and says when it changes.
 */
import { byId, drawGray, el, makeCanvas } from './render';

/** Side of the model's input images. */
export const N = 28;

/** `public/digits.json`: test digits, base64 uint8 pixels. */
export interface DigitsFile {
  height: number;
  width: number;
  digits: Array<{ index: number; label: number; pixels: string }>;
}

export function decodeDigit(base64: string): Float32Array {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return Float32Array.from(bytes, (b) => b / 255);
}

/** The ink's bounding box on the pad (red channel above 20), or null for an empty pad. */
function inkBox(
  data: Uint8ClampedArray,
  W: number,
  H: number,
): [number, number, number, number] | null {
  let [x0, y0, x1, y1] = [W, H, -1, -1];
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      if ((data[4 * (y * W + x)] as number) > 20) {
        [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
      }
  return x1 < 0 ? null : [x0, y0, x1, y1];
}

/** Drawing pad → MNIST-like 28×28 image: crop to the ink, fit into 20×20, centre of mass at the centre. */
export function padToImage(pad: HTMLCanvasElement): Float32Array | null {
  const box = inkBox(
    pad.getContext('2d')!.getImageData(0, 0, pad.width, pad.height).data,
    pad.width,
    pad.height,
  );
  if (!box) return null;
  const [x0, y0, x1, y1] = box;
  const [bw, bh] = [x1 - x0 + 1, y1 - y0 + 1];
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
      [m, mx, my] = [m + v, mx + v * (x + 0.5), my + v * (y + 0.5)];
    }
  const out = makeCanvas(N, N);
  const octx = out.getContext('2d')!;
  octx.fillStyle = '#000';
  octx.fillRect(0, 0, N, N);
  octx.drawImage(fit, Math.round(N / 2 - mx / m), Math.round(N / 2 - my / m));
  const od = octx.getImageData(0, 0, N, N).data;
  return Float32Array.from({ length: N * N }, (_, i) => (od[4 * i] as number) / 255);
}

/** Strokes on the pad: white, 15 px, round; `onStroke` after each finished stroke. */
function attachDrawing(pad: HTMLCanvasElement, onStart: () => void, onStroke: () => void): void {
  const ctx = pad.getContext('2d')!;
  let last: [number, number] | null = null;
  const point = (e: PointerEvent): [number, number] => {
    const r = pad.getBoundingClientRect();
    return [
      ((e.clientX - r.left) * pad.width) / r.width,
      ((e.clientY - r.top) * pad.height) / r.height,
    ];
  };
  pad.addEventListener('pointerdown', (e) => {
    onStart();
    last = point(e);
    pad.setPointerCapture(e.pointerId);
  });
  pad.addEventListener('pointermove', (e) => {
    if (!last) return;
    const p = point(e);
    Object.assign(ctx, { strokeStyle: '#fff', lineWidth: 15, lineCap: 'round', lineJoin: 'round' });
    ctx.beginPath();
    ctx.moveTo(...last);
    ctx.lineTo(...p);
    ctx.stroke();
    last = p;
  });
  const end = () => {
    if (!last) return;
    last = null;
    onStroke();
  };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
}

/** The panel's state: the image the model classifies and the digit it is (-1 for a drawing). */
export interface InputPanel {
  image(): Float32Array;
  digit(): number;
  /** Outlines the shown digit's button. */
  showSelection(): void;
}

/** Builds the input panel; `onChange` runs after every new image. */
export function createInputPanel(digits: DigitsFile, onChange: () => void): InputPanel {
  const pad = byId<HTMLCanvasElement>('pad');
  const clearPad = () => {
    const ctx = pad.getContext('2d')!;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, pad.width, pad.height);
  };
  let image = decodeDigit(digits.digits[0]!.pixels);
  let digit = 0;
  const buttons = digits.digits.map((d, i) => {
    const b = el('button');
    Object.assign(b, {
      type: 'button',
      title: `MNIST-rot test image #${d.index} (label ${d.label})`,
    });
    b.dataset.digitIndex = String(i);
    const c = makeCanvas(42, 42);
    drawGray(c, decodeDigit(d.pixels), N, N);
    b.append(c, el('span', String(d.label)));
    b.addEventListener('click', () => {
      [image, digit] = [decodeDigit(d.pixels), i];
      drawGray(pad, image, N, N);
      onChange();
    });
    byId('digits').append(b);
    return b;
  });
  attachDrawing(
    pad,
    () => {
      if (digit >= 0) clearPad();
      digit = -1;
    },
    () => {
      const drawn = padToImage(pad);
      if (!drawn) return;
      image = drawn;
      onChange();
    },
  );
  byId('clear').addEventListener('click', () => {
    clearPad();
    [image, digit] = [new Float32Array(N * N), -1];
    onChange();
  });
  drawGray(pad, image, N, N);
  return {
    image: () => image,
    digit: () => digit,
    showSelection: () => {
      for (const [i, b] of buttons.entries()) b.classList.toggle('selected', i === digit);
    },
  };
}
