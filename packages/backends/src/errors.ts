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
