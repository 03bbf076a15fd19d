let denseDepth = 0;

/**
 * Runs `f` with every mixing as plain tfjs ops (matMuls): no rotation mixing in Fourier form
 * (circulant-mixing.ts) and no per-channel mixing kernel (per-channel-mixing.ts). For tools that
 * turn the kernels of an inference pass into graph ops (`freezeModel` of @gcnn/models), as the
 * add-on kernels these use have none. Synchronous `f` only.
 */
export function withDenseMixings<T>(f: () => T): T {
  denseDepth++;
  try {
    return f();
  } finally {
    denseDepth--;
  }
}

/** Whether the caller runs inside {@link withDenseMixings}. */
export function denseMixingsOnly(): boolean {
  return denseDepth > 0;
}
