import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from './errors';
import {
  type BackendPackages,
  importBackendPackage,
  isModuleNotFound,
  loadOptional,
  type OptionalPackage,
} from './optional-packages';
import { registerWebGpuKernelFixes } from './webgpu-kernel-fixes';
import type { GpuAdapterInfo } from './webgpu-node';

/** The backends gcnn apps can select. */
export const BACKEND_NAMES = ['wasm', 'cpu', 'webgpu', 'tensorflow', 'webgl'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface SelectBackendOptions {
  /**
   * webgpu in Node: which GPU adapter, as an index into Dawn's adapter list or a case-insensitive
   * part of its name (`nvidia`, `H100`, `swiftshader`). Default: `GCNN_GPU_ADAPTER`, else Dawn's
   * first adapter.
   */
  gpuAdapter?: string;
  /** webgpu in Node: extra Dawn flags for `create([...])` (e.g. `enable-dawn-features=...`). */
  dawnFlags?: readonly string[];
  /** wasm in a browser: where the .wasm files are served (tfjs `setWasmPaths`). */
  wasmPaths?: string;
  /** Where to print what was selected (the GPU adapter). Default: none. */
  log?: (line: string) => void;
  /** Environment for `GCNN_GPU_ADAPTER` and the Vulkan diagnostics. Default: `process.env`. */
  env?: Record<string, string | undefined>;
  /** Keep tfjs' PROD-gated warnings (the "install tfjs-node" banner). Default: silenced. */
  keepWarnings?: boolean;
  /**
   * Bundled apps: the optional packages as the app imported them (module or `() => import(…)`),
   * since a bundler cannot see selectBackend's import by name. A tfjs backend the app imported for
   * its side effect (`import '@tensorflow/tfjs-backend-webgl'`) is found registered without this.
   */
  packages?: BackendPackages;
}

export interface SelectedBackend {
  /** The backend name tfjs reports (`tf.getBackend()`). */
  name: string;
  /** Which npm package provides it (tensorflow: tfjs-node-gpu or tfjs-node). */
  package?: string;
  /** webgpu: the adapter (Node: from Dawn; browser: from navigator.gpu). */
  adapter?: GpuAdapterInfo;
}

const isNode = (): boolean =>
  typeof process !== 'undefined' && typeof process.versions?.node === 'string';

function defaultEnv(): Record<string, string | undefined> {
  return isNode() ? process.env : {};
}

async function setBackendOrThrow(name: string, why: string): Promise<void> {
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } catch (error) {
    throw new BackendError(
      `backend '${name}' failed to initialise: ${(error as Error).message}. ${why}`,
      name,
    );
  }
  if (!ok)
    throw new BackendError(
      `backend '${name}' failed to initialise (tf.setBackend returned false). ${why}`,
      name,
    );
  await tf.ready();
}

/** One line describing a GPU adapter, as printed at start. */
export function formatAdapter(a: GpuAdapterInfo): string {
  const parts = [
    `vendor ${a.vendor || '?'}`,
    `architecture ${a.architecture || '?'}`,
    `description ${a.description || '?'}`,
  ];
  if (a.name) parts.push(`adapter '${a.name}'${a.dawnBackend ? ` (${a.dawnBackend})` : ''}`);
  return parts.join(', ');
}

/**
 * Makes tfjs backend `name` registered: it is when the app imported its package (tfjs backends
 * register themselves on import, which is how a bundled app includes them); else the package is
 * loaded ({@link importBackendPackage}: handed over in `packages`, or imported by name).
 */
async function registerBackend(
  name: 'cpu' | 'webgl' | 'webgpu',
  pkg: OptionalPackage,
  packages: BackendPackages | undefined,
): Promise<void> {
  if (packages?.[pkg] === undefined && tf.findBackendFactory(name) != null) return;
  await importBackendPackage(name, pkg, [`${pkg}@4.22.0`], pkg, packages);
}

/**
 * Selects and initialises a tfjs backend; library packages never do, apps call this once before
 * creating tensors. Each backend is an optional peer dependency: a missing one raises a
 * {@link BackendError} whose message says which package to install.
 *
 * - `cpu`: @tensorflow/tfjs-backend-cpu.
 * - `wasm`: @tensorflow/tfjs-backend-wasm + @gcnn/tfjs-wasm-training's kernels (training).
 * - `webgl`: @tensorflow/tfjs-backend-webgl, browsers only.
 * - `webgpu`: @tensorflow/tfjs-backend-webgpu; in Node also the `webgpu` package (Dawn on
 *   Vulkan), with the adapter chosen by `gpuAdapter` / `GCNN_GPU_ADAPTER` and printed to `log`.
 *   Read results with `await t.data()`: synchronous reads of GPU tensors are not supported there.
 *   Some of its kernels are corrected first ({@link registerWebGpuKernelFixes}: accurate
 *   `Sin`/`Cos`, binary ops of rank-5/6 with rank-1 tensors).
 * - `tensorflow`: @tensorflow/tfjs-node-gpu, else @tensorflow/tfjs-node (Node only).
 *
 * In Node the packages are imported by name. A bundled (browser) app must include them itself:
 * `import '@tensorflow/tfjs-backend-webgl'` for a tfjs backend it always uses, or
 * `packages: { '@tensorflow/tfjs-backend-wasm': () => import('@tensorflow/tfjs-backend-wasm') }`
 * for one loaded on demand (and for wasm's two packages, whose functions selectBackend calls).
 */
export async function selectBackend(
  name: BackendName,
  options: SelectBackendOptions = {},
): Promise<SelectedBackend> {
  if (!options.keepWarnings) tf.env().set('PROD', true);
  const env = options.env ?? defaultEnv();
  switch (name) {
    case 'cpu':
      await registerBackend('cpu', '@tensorflow/tfjs-backend-cpu', options.packages);
      await setBackendOrThrow('cpu', '');
      return { name: tf.getBackend(), package: '@tensorflow/tfjs-backend-cpu' };
    case 'wasm': {
      // setWasmPaths is a function of the package, so it is loaded even when registered already.
      const wasm = await importBackendPackage<{ setWasmPaths?: (p: string) => void }>(
        'wasm',
        '@tensorflow/tfjs-backend-wasm',
        ['@tensorflow/tfjs-backend-wasm@4.22.0', '@gcnn/tfjs-wasm-training'],
        '@tensorflow/tfjs-backend-wasm',
        options.packages,
      );
      const training = await importBackendPackage<{ registerWasmTrainingKernels: () => void }>(
        'wasm',
        '@gcnn/tfjs-wasm-training',
        ['@gcnn/tfjs-wasm-training'],
        "@gcnn/tfjs-wasm-training (the kernels tfjs' wasm backend lacks for training)",
        options.packages,
      );
      if (options.wasmPaths !== undefined) wasm.setWasmPaths?.(options.wasmPaths);
      await setBackendOrThrow(
        'wasm',
        isNode() ? '' : 'In a browser the .wasm files must be served (see the wasmPaths option).',
      );
      training.registerWasmTrainingKernels();
      return { name: tf.getBackend(), package: '@tensorflow/tfjs-backend-wasm' };
    }
    case 'webgl':
      if (isNode()) {
        throw new BackendError(
          "backend 'webgl' works only in a browser (Node has no WebGL); in Node use webgpu (Dawn) or tensorflow for a GPU, or wasm",
          'webgl',
        );
      }
      await registerBackend('webgl', '@tensorflow/tfjs-backend-webgl', options.packages);
      await setBackendOrThrow('webgl', 'This browser offers no WebGL2 context.');
      return { name: tf.getBackend(), package: '@tensorflow/tfjs-backend-webgl' };
    case 'webgpu':
      return selectWebGpu(options, env);
    case 'tensorflow':
      return selectTensorflow(options.packages);
    default:
      throw new BackendError(
        `backend must be one of ${BACKEND_NAMES.join(', ')}, got '${String(name)}'`,
        String(name),
      );
  }
}

async function selectWebGpu(
  options: SelectBackendOptions,
  env: Record<string, string | undefined>,
): Promise<SelectedBackend> {
  const log = options.log ?? (() => {});
  let adapter: GpuAdapterInfo | undefined;
  const hasNavigatorGpu =
    typeof navigator !== 'undefined' && (navigator as { gpu?: unknown }).gpu != null;
  if (isNode() && !hasNavigatorGpu) {
    const { installNodeWebGpu } = await import('./webgpu-node');
    adapter = await installNodeWebGpu({
      gpuAdapter: options.gpuAdapter ?? env.GCNN_GPU_ADAPTER,
      dawnFlags: options.dawnFlags,
      env,
      packages: options.packages,
    });
  }
  await registerBackend('webgpu', '@tensorflow/tfjs-backend-webgpu', options.packages);
  // Corrections of tfjs-backend-webgpu 4.22's kernels: accurate sin/cos, rank-5 broadcasting.
  registerWebGpuKernelFixes();
  await setBackendOrThrow(
    'webgpu',
    isNode()
      ? 'Dawn found an adapter but tfjs could not open a device on it.'
      : 'This browser offers no WebGPU adapter (navigator.gpu.requestAdapter() returned null).',
  );
  if (isNode()) explainSyncReads();
  if (!adapter) {
    // Browser (or a navigator.gpu set up by the app): the adapter tfjs got.
    const info = (
      tf.backend() as unknown as {
        adapterInfo?: { vendor?: string; architecture?: string; description?: string };
      }
    ).adapterInfo;
    if (info)
      adapter = {
        vendor: info.vendor ?? '',
        architecture: info.architecture ?? '',
        device: '',
        description: info.description ?? '',
      };
  }
  if (adapter) log(`webgpu adapter: ${formatAdapter(adapter)}`);
  return {
    name: tf.getBackend(),
    package: '@tensorflow/tfjs-backend-webgpu',
    ...(adapter ? { adapter } : {}),
  };
}

/** The message of a synchronous read of a GPU tensor on webgpu in Node. */
export const NODE_WEBGPU_SYNC_READ =
  'webgpu in Node cannot read GPU data synchronously (dataSync/arraySync/bufferSync): tfjs-backend-webgpu 4.22 reads synchronously only through OffscreenCanvas, which Node lacks. Use `await tensor.data()` / `await tensor.array()`.';

/**
 * tfjs-backend-webgpu's synchronous read fails in Node with "ReferenceError: OffscreenCanvas is not
 * defined"; replace that with a message that says what to do. Values already on the CPU (small
 * tensors computed there, or read before) are still returned synchronously.
 */
function explainSyncReads(): void {
  const backend = tf.backend() as unknown as {
    readSync: (dataId: unknown) => unknown;
    gcnnSyncReadExplained?: boolean;
  };
  if (backend.gcnnSyncReadExplained) return;
  const readSync = backend.readSync.bind(backend);
  backend.readSync = (dataId: unknown) => {
    try {
      return readSync(dataId);
    } catch (error) {
      if (error instanceof ReferenceError && /OffscreenCanvas/.test(error.message))
        throw new Error(NODE_WEBGPU_SYNC_READ);
      throw error;
    }
  };
  backend.gcnnSyncReadExplained = true;
}

async function selectTensorflow(packages?: BackendPackages): Promise<SelectedBackend> {
  if (!isNode()) {
    throw new BackendError(
      "backend 'tensorflow' (tfjs-node) works only in Node; in a browser use webgpu, webgl or wasm",
      'tensorflow',
    );
  }
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const) {
    try {
      await loadOptional(pkg, packages);
    } catch (error) {
      if (isModuleNotFound(error)) continue;
      throw new BackendError(
        `backend 'tensorflow': ${pkg} is installed but failed to load: ${(error as Error).message} (its native addon needs libtensorflow, which its install script downloads)`,
        'tensorflow',
      );
    }
    await setBackendOrThrow('tensorflow', `${pkg} loaded but did not register 'tensorflow'.`);
    return { name: tf.getBackend(), package: pkg };
  }
  throw new BackendError(
    "backend 'tensorflow' needs @tensorflow/tfjs-node-gpu (CUDA) or @tensorflow/tfjs-node (CPU), and neither is installed: `pnpm add @tensorflow/tfjs-node@4.22.0` (or tfjs-node-gpu). Its install script downloads libtensorflow 2.9.1 from Google's storage, so it needs that network access at install time. Without it, use --backend wasm (CPU) or webgpu (GPU through Dawn/Vulkan).",
    'tensorflow',
    ['@tensorflow/tfjs-node@4.22.0'],
  );
}

/**
 * Which backends could be selected here (packages handed over in `packages` or importable; nothing
 * initialised), with a note.
 */
export async function probeBackends(
  options: { packages?: BackendPackages } = {},
): Promise<Array<{ name: BackendName; available: boolean; note: string }>> {
  const canImport = async (pkg: OptionalPackage) => {
    try {
      await loadOptional(pkg, options.packages);
      return true;
    } catch {
      return false;
    }
  };
  const node = isNode();
  const tfNode = !node
    ? null
    : (await canImport('@tensorflow/tfjs-node-gpu'))
      ? '@tensorflow/tfjs-node-gpu'
      : (await canImport('@tensorflow/tfjs-node'))
        ? '@tensorflow/tfjs-node'
        : null;
  const tfWebgpu = await canImport('@tensorflow/tfjs-backend-webgpu');
  const dawn = node ? await canImport('webgpu') : true;
  const wasm =
    (await canImport('@tensorflow/tfjs-backend-wasm')) &&
    (await canImport('@gcnn/tfjs-wasm-training'));
  return [
    {
      name: 'wasm',
      available: wasm,
      note: wasm
        ? `SIMD${node ? ', 1 thread in Node' : ''}, + @gcnn/tfjs-wasm-training kernels`
        : 'install @tensorflow/tfjs-backend-wasm and @gcnn/tfjs-wasm-training',
    },
    {
      name: 'cpu',
      available: await canImport('@tensorflow/tfjs-backend-cpu'),
      note: 'plain JS reference backend',
    },
    {
      name: 'webgpu',
      available: tfWebgpu && dawn,
      note:
        tfWebgpu && dawn
          ? node
            ? 'webgpu (Dawn) + tfjs-backend-webgpu installed; needs a Vulkan driver (--gpu-adapter picks one)'
            : 'tfjs-backend-webgpu installed; needs a browser with WebGPU'
          : `install ${[...(dawn ? [] : ['webgpu']), ...(tfWebgpu ? [] : ['@tensorflow/tfjs-backend-webgpu'])].join(' and ')}`,
    },
    {
      name: 'tensorflow',
      available: tfNode !== null,
      note: node
        ? (tfNode ?? 'install @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node')
        : 'Node only',
    },
    {
      name: 'webgl',
      available: !node && (await canImport('@tensorflow/tfjs-backend-webgl')),
      note: node ? 'browsers only' : 'tfjs-backend-webgl',
    },
  ];
}
