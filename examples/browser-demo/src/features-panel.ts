/**
 * The feature-maps panel: the lifting layer's maps of one channel, one per group element, on a
 * shared colour scale, with a bar under each map (its largest value) and the strongest outlined.
 */
import type { Prediction } from './model-runner';
import { drawDiverging, el, makeCanvas } from './render';

/** Index of the largest value. */
export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if ((v[i] as number) > (v[best] as number)) best = i;
  return best;
}

/** Per channel and element: the largest value of the map (invariant to rotating the map by 90°). */
export function profilesOf(p: Prediction): number[][] {
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
}

/** The channel whose strongest element stands out most: where the shift is easiest to see. */
export function liveliestChannel(profiles: number[][]): number {
  let best = 0;
  let bestGap = -Infinity;
  profiles.forEach((prof, c) => {
    const [first = 0, second = 0] = [...prof].sort((a, b) => b - a);
    const gap = (first - second) / (Math.abs(first) + 1e-6);
    if (gap > bestGap) [best, bestGap] = [c, gap];
  });
  return best;
}

/** The panel: `render` draws a channel's maps and returns its strongest element. */
export interface FeaturesPanel {
  render(p: Prediction, channel: number, profile: number[]): number;
}

/** Builds one figure per element (`labels`) in `container`. */
export function createFeaturesPanel(container: HTMLElement, labels: string[]): FeaturesPanel {
  container.style.setProperty('--cols', String(labels.length));
  container.style.setProperty('--cols-narrow', String(Math.ceil(labels.length / 2)));
  const figures = labels.map((label, g) => {
    const fig = el('figure');
    const canvas = makeCanvas(112, 112);
    const profile = el('div', undefined, 'profile');
    const bar = el('div');
    profile.append(bar);
    fig.append(canvas, profile, el('figcaption', `h${g}: ${label}`));
    fig.dataset.g = String(g);
    container.append(fig);
    return { fig, canvas, bar };
  });
  return {
    render(p, channel, profile) {
      const [h, w, g, c] = p.featureShape;
      let scale = 0;
      for (let i = 0; i < h * w * g; i++)
        scale = Math.max(scale, Math.abs(p.features[i * c + channel] as number));
      const top = argmax(profile);
      // Bars from a little below the smallest maximum, so differences between elements show.
      const hi = Math.max(...profile);
      const lo = Math.min(...profile) - 0.25 * (hi - Math.min(...profile) || 1);
      figures.forEach((f, gi) => {
        const m = Float32Array.from(
          { length: h * w },
          (_, i) => p.features[(i * g + gi) * c + channel] as number,
        );
        drawDiverging(f.canvas, m, h, w, scale);
        f.fig.classList.toggle('argmax', gi === top);
        f.bar.style.height = `${(100 * ((profile[gi] as number) - lo)) / Math.max(1e-12, hi - lo)}%`;
      });
      container.dataset.argmaxG = String(top);
      return top;
    },
  };
}
