/**
 * @file The optional packages `selectBackend` loads, and how: from the app when it hands them over
 * (`packages`), else by importing them by name. A bundler includes only what the app's code names
 * in a static `import`; an import by a variable name is invisible to it and fails in the bundle.
 */
import { BackendError } from './errors';

/** Every optional peer dependency of `@gcnn/backends`, by npm name. */
export const OPTIONAL_PACKAGES = [
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
  '@gcnn/tfjs-wasm-training',
  '@tensorflow/tfjs-backend-webgl',
  '@tensorflow/tfjs-backend-webgpu',
  'webgpu',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
] as const;
export type OptionalPackage = (typeof OPTIONAL_PACKAGES)[number];

/**
 * Optional packages as the app imported them, for bundled apps: the module
 * (`import * as wasm from '@tensorflow/tfjs-backend-wasm'`) or a function that imports it when
 * needed (`() => import('@tensorflow/tfjs-backend-webgpu')`, which bundlers split into a chunk).
 */
export type BackendPackages = {
  readonly [P in OptionalPackage]?: object | (() => Promise<object>);
};

/** Imports a module by a name the bundler and TypeScript leave alone (optional, maybe uninstalled). */
export async function importOptional<T = unknown>(name: string): Promise<T> {
  return import(/* @vite-ignore */ name) as Promise<T>;
}

export function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return true;
  // Bundlers and browsers word it differently (Vite, for a declared optional peer that is not
  // installed: 'Could not resolve "…" imported by "…". Is it installed?').
  const message = String((error as { message?: unknown })?.message ?? '');
  return /Cannot find (module|package)|Could not resolve|Failed to resolve module specifier|Failed to fetch dynamically imported module/.test(
    message,
  );
}

/** The package the app handed over in `packages`, else `import(pkg)`. */
export async function loadOptional<T = unknown>(
  pkg: OptionalPackage,
  packages: BackendPackages = {},
): Promise<T> {
  const given = packages[pkg];
  if (given === undefined) return importOptional<T>(pkg);
  return (typeof given === 'function' ? await given() : given) as T;
}

const isBrowser = (): boolean =>
  typeof window !== 'undefined' ||
  (typeof process === 'undefined' && typeof navigator !== 'undefined');

/** {@link loadOptional}, or a {@link BackendError} that says which package to install or import. */
export async function importBackendPackage<T = unknown>(
  backend: string,
  pkg: OptionalPackage,
  install: readonly string[],
  why: string,
  packages?: BackendPackages,
): Promise<T> {
  try {
    return await loadOptional<T>(pkg, packages);
  } catch (error) {
    if (!isModuleNotFound(error)) {
      throw new BackendError(
        `backend '${backend}': ${pkg} is installed but failed to load: ${(error as Error).message}`,
        backend,
      );
    }
    const howToInstall = `\`pnpm add ${install.join(' ')}\` (or npm install)`;
    if (!isBrowser())
      throw new BackendError(
        `backend '${backend}' needs ${why}, which is not installed: ${howToInstall}`,
        backend,
        install,
      );
    // A bundle: the package may well be installed, but an import by name is not bundled.
    const registers = /^@tensorflow\/tfjs-backend-(cpu|webgl|webgpu)$/.test(pkg)
      ? ` (or only \`import '${pkg}'\` before selectBackend: it registers the backend)`
      : '';
    throw new BackendError(
      `backend '${backend}' needs ${why}, which this page could not import by name: a bundler includes only the packages the app itself imports. Import it in the app and hand it over, \`selectBackend('${backend}', { packages: { '${pkg}': () => import('${pkg}') } })\`${registers}; if it is not installed: ${howToInstall}`,
      backend,
      install,
    );
  }
}
