import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from './flags';

/** Backends the CLI can select (`--backend`). */
export const BACKEND_NAMES = ['wasm', 'cpu', 'webgpu', 'tensorflow', 'webgl'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Imports a module by a name TypeScript cannot resolve (optional, maybe uninstalled packages). */
async function importOptional(name: string): Promise<unknown> {
  return import(/* @vite-ignore */ name);
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/**
 * Selects and initialises a tfjs backend (the library packages never do). `wasm` also registers
 * `@gcnn/tfjs-wasm-training`'s kernels so it can train; `tensorflow` loads
 * `@tensorflow/tfjs-node-gpu`, else `@tensorflow/tfjs-node`; `webgpu` loads the `webgpu` npm
 * package (Dawn) and `@tensorflow/tfjs-backend-webgpu`. A missing optional package is reported
 * with the exact `pnpm add` to run. Returns the backend name tfjs reports.
 */
export async function selectBackend(name: BackendName): Promise<string> {
  // Silences tfjs' "install tfjs-node" banner and other PROD-gated warnings.
  tf.env().set('PROD', true);
  switch (name) {
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      break;
    case 'wasm': {
      await import('@tensorflow/tfjs-backend-wasm');
      const { registerWasmTrainingKernels } = await import('@gcnn/tfjs-wasm-training');
      if (!(await tf.setBackend('wasm'))) {
        throw new UsageError(
          'gcnn: --backend wasm failed to initialise (tf.setBackend returned false)',
        );
      }
      await tf.ready();
      registerWasmTrainingKernels();
      return tf.getBackend();
    }
    case 'tensorflow': {
      const tried: string[] = [];
      let loaded = false;
      for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
        try {
          await importOptional(pkg);
          loaded = true;
          break;
        } catch (error) {
          if (!isModuleNotFound(error)) {
            throw new UsageError(
              `gcnn: --backend tensorflow: ${pkg} is installed but failed to load: ${(error as Error).message}`,
            );
          }
          tried.push(pkg);
        }
      }
      if (!loaded) {
        throw new UsageError(
          'gcnn: --backend tensorflow needs @tensorflow/tfjs-node-gpu (CUDA) or @tensorflow/tfjs-node (CPU), neither is installed. Install one next to gcnn: `pnpm add @tensorflow/tfjs-node@4.22.0` (its install script downloads libtensorflow, so it needs network access at install time), or use --backend wasm',
        );
      }
      if (!(await tf.setBackend('tensorflow'))) {
        throw new UsageError('gcnn: --backend tensorflow failed to initialise');
      }
      await tf.ready();
      return tf.getBackend();
    }
    case 'webgpu': {
      let dawn: { create: (flags: string[]) => unknown; globals: Record<string, unknown> };
      try {
        dawn = (await importOptional('webgpu')) as typeof dawn;
      } catch (error) {
        if (!isModuleNotFound(error)) throw error;
        throw new UsageError(
          'gcnn: --backend webgpu needs the npm packages webgpu (Dawn for Node) and @tensorflow/tfjs-backend-webgpu: `pnpm add webgpu @tensorflow/tfjs-backend-webgpu@4.22.0`; it also needs a Vulkan driver (e.g. Debian libvulkan1 + a GPU ICD)',
        );
      }
      Object.assign(globalThis, dawn.globals);
      Object.defineProperty(globalThis, 'navigator', {
        value: { gpu: dawn.create([]) },
        configurable: true,
      });
      try {
        await importOptional('@tensorflow/tfjs-backend-webgpu');
      } catch (error) {
        if (!isModuleNotFound(error)) throw error;
        throw new UsageError(
          'gcnn: --backend webgpu needs @tensorflow/tfjs-backend-webgpu: `pnpm add @tensorflow/tfjs-backend-webgpu@4.22.0`',
        );
      }
      if (!(await tf.setBackend('webgpu'))) {
        throw new UsageError(
          'gcnn: --backend webgpu found no GPU adapter (Dawn needs a Vulkan driver; try VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json for a software adapter)',
        );
      }
      await tf.ready();
      return tf.getBackend();
    }
    case 'webgl':
      throw new UsageError(
        'gcnn: --backend webgl works only in a browser (Node has no WebGL); use --backend webgpu or tensorflow for a GPU, or wasm',
      );
    default:
      throw new UsageError(
        `gcnn: --backend must be one of ${BACKEND_NAMES.join(', ')}, got '${String(name)}'`,
      );
  }
  if (!(await tf.setBackend(name))) {
    throw new UsageError(`gcnn: --backend ${name} failed to initialise`);
  }
  await tf.ready();
  return tf.getBackend();
}

/** Which backends could be selected here (without initialising them), with a reason if not. */
export async function probeBackends(): Promise<
  Array<{ name: BackendName; available: boolean; note: string }>
> {
  const canImport = async (pkg: string) => {
    try {
      await importOptional(pkg);
      return true;
    } catch {
      return false;
    }
  };
  const tfNode = (await canImport('@tensorflow/tfjs-node-gpu'))
    ? '@tensorflow/tfjs-node-gpu'
    : (await canImport('@tensorflow/tfjs-node'))
      ? '@tensorflow/tfjs-node'
      : null;
  const webgpu =
    (await canImport('webgpu')) && (await canImport('@tensorflow/tfjs-backend-webgpu'));
  return [
    {
      name: 'wasm',
      available: true,
      note: 'SIMD, 1 thread in Node, + @gcnn/tfjs-wasm-training kernels (default)',
    },
    { name: 'cpu', available: true, note: 'plain JS reference backend' },
    {
      name: 'webgpu',
      available: webgpu,
      note: webgpu
        ? 'webgpu (Dawn) + tfjs-backend-webgpu installed; needs a Vulkan driver'
        : 'install webgpu and @tensorflow/tfjs-backend-webgpu',
    },
    {
      name: 'tensorflow',
      available: tfNode !== null,
      note: tfNode ?? 'install @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node',
    },
    { name: 'webgl', available: false, note: 'browsers only' },
  ];
}
