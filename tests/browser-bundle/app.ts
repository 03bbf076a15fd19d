/**
 * A small browser app as a gcnn user writes it, bundled by esbuild from the *built* packages
 * (tests/browser-bundle.test.ts): the cpu and webgl backends are imported for their side effect,
 * wasm (whose functions selectBackend calls) and webgpu are handed over as `() => import(…)`, so
 * the bundler sees every one of them. For each backend it selects it with `selectBackend` and
 * takes a gradient through a `@gcnn/lie-groups` op, which needs tfjs-core's gradients registered
 * by `@gcnn/lie-groups` from the app's own tfjs-core. Reports to `window.gcnnBundle`.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { type BackendName, type BackendPackages, selectBackend } from '@gcnn/backends';
import { SO2 } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';
import { tolerance } from '../../tooling/test-utils/src/tolerance';

const packages: BackendPackages = {
  '@tensorflow/tfjs-backend-wasm': () => import('@tensorflow/tfjs-backend-wasm'),
  '@gcnn/tfjs-wasm-training': () => import('@gcnn/tfjs-wasm-training'),
  '@tensorflow/tfjs-backend-webgpu': () => import('@tensorflow/tfjs-backend-webgpu'),
};

export interface BackendReport {
  requested: BackendName;
  /** `tf.getBackend()` after selection, or the error message of `selectBackend`. */
  selected: string;
  /** d/dθ Σ act(exp(θ), (1, 0)) = d/dθ (cos θ + sin θ) at θ = 0.3, from `tf.grad`. */
  gradient: number | null;
  /** Chained op `x.square()` of x = 3. */
  chained: number | null;
  /** `tolerance('trig')` of @gcnn/test-utils on this backend. */
  bound: number;
  /** Tensors left after the checks (0: no leak). */
  leaked: number;
}

const THETA = 0.3;

async function check(requested: BackendName): Promise<BackendReport> {
  const wasmPaths = new URL('./', location.href).href;
  try {
    await selectBackend(requested, { packages, wasmPaths });
  } catch (error) {
    const selected = `error: ${(error as Error).message}`;
    return { requested, selected, gradient: null, chained: null, bound: 0, leaked: 0 };
  }
  const before = tf.memory().numTensors;
  const point = tf.tensor1d([1, 0]);
  const theta = tf.tensor1d([THETA]);
  const three = tf.scalar(3);
  const rotate = (t: tf.Tensor) => tf.sum(SO2.act(SO2.exp(t), point));
  const dTheta = tf.grad(rotate)(theta);
  const squared = three.square();
  const [gradient, chained] = await Promise.all([dTheta.data(), squared.data()]);
  tf.dispose([point, theta, three, dTheta, squared]);
  return {
    requested,
    selected: tf.getBackend(),
    gradient: gradient[0] ?? null,
    chained: chained[0] ?? null,
    bound: tolerance('trig'),
    leaked: tf.memory().numTensors - before,
  };
}

async function main(): Promise<void> {
  const reports: BackendReport[] = [];
  for (const name of ['cpu', 'webgl', 'wasm', 'webgpu'] as const) reports.push(await check(name));
  window.gcnnBundle = { theta: THETA, reports };
}

declare global {
  interface Window {
    gcnnBundle?: { theta: number; reports: BackendReport[] };
  }
}

main().catch((error: unknown) => {
  window.gcnnBundle = { theta: THETA, reports: [] };
  console.error(error);
});
