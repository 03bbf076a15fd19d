import {
  BACKEND_NAMES,
  BackendError,
  type BackendName,
  probeBackends,
  selectBackend as selectGcnnBackend,
} from '@gcnn/backends';
import type { CliIo } from './io';
import { UsageError } from './usage-error';

export { BACKEND_NAMES, type BackendName, probeBackends };

export interface CliBackendOptions {
  /** `--gpu-adapter` (webgpu in Node): index or name substring; else `GCNN_GPU_ADAPTER`. */
  gpuAdapter?: string;
  /** Where the webgpu adapter line goes (the CLI passes stderr). */
  log?: (line: string) => void;
}

/**
 * Selects and initialises the tfjs backend of a command through `@gcnn/backends` (the library
 * packages never do). A backend that cannot be used becomes a {@link UsageError} whose message
 * says what to install. Returns the backend name tfjs reports.
 */
export async function selectBackend(
  name: BackendName,
  options: CliBackendOptions = {},
): Promise<string> {
  try {
    const selected = await selectGcnnBackend(name, {
      ...(options.gpuAdapter !== undefined ? { gpuAdapter: options.gpuAdapter } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    return selected.name;
  } catch (error) {
    if (error instanceof BackendError)
      throw new UsageError(`gcnn: --backend ${name}: ${error.message}`);
    throw error;
  }
}

/** Selects the backend a command's `--backend` and `--gpu-adapter` name; adapter lines go to stderr. */
export function selectCommandBackend(
  values: { backend: BackendName; 'gpu-adapter': string | undefined },
  io: CliIo,
): Promise<string> {
  return selectBackend(values.backend, {
    gpuAdapter: values['gpu-adapter'],
    log: (line) => io.err.write(`${line}\n`),
  });
}
