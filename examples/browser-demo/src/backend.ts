/**
 * The app — not the library — picks the tfjs backend: webgl, or cpu with a visible note when WebGL
 * is unavailable (`?backend=cpu` forces cpu).
 */
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

/** The backend in use, and a note to show when it is not the one the page is made for. */
export async function pickBackend(): Promise<{ name: string; note: string | null }> {
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
