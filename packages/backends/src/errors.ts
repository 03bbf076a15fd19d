/**
 * Why a backend could not be selected. `install` lists the packages to add (e.g.
 * `['webgpu', '@tensorflow/tfjs-backend-webgpu@4.22.0']`) when the cause is a missing optional
 * peer; the message always says what to do.
 */
export class BackendError extends Error {
  override readonly name = 'BackendError';
  constructor(
    message: string,
    readonly backend: string,
    readonly install: readonly string[] = [],
  ) {
    super(message);
  }
}

/** Imports a module by a name the bundler and TypeScript leave alone (optional, maybe uninstalled). */
export async function importOptional<T = unknown>(name: string): Promise<T> {
  return import(/* @vite-ignore */ name) as Promise<T>;
}

export function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return true;
  // Bundlers and browsers word it differently.
  const message = String((error as { message?: unknown })?.message ?? '');
  return /Cannot find (module|package)|Failed to resolve module specifier|Failed to fetch dynamically imported module/.test(
    message,
  );
}

/** `import(pkg)`, or a {@link BackendError} that says which package to install. */
export async function importBackendPackage<T = unknown>(
  backend: string,
  pkg: string,
  install: readonly string[],
  why: string,
): Promise<T> {
  try {
    return await importOptional<T>(pkg);
  } catch (error) {
    if (!isModuleNotFound(error)) {
      throw new BackendError(
        `backend '${backend}': ${pkg} is installed but failed to load: ${(error as Error).message}`,
        backend,
      );
    }
    throw new BackendError(
      `backend '${backend}' needs ${why}, which is not installed: \`pnpm add ${install.join(' ')}\` (or npm install)`,
      backend,
      install,
    );
  }
}
