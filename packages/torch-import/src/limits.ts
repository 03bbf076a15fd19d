/**
 * Bounds on what reading a checkpoint may allocate. Every size a file declares is checked against
 * them before anything of that size is allocated, so a hostile file fails with a
 * `TorchCheckpointError` instead of exhausting memory or the call stack.
 */
export interface TorchReadLimits {
  /**
   * Most bytes the archive's entries may hold once decompressed, all together, and separately the
   * most bytes of tensor values materialised from them (a view with stride 0 can be larger than
   * its storage). Default 1 GiB (the README-size model takes 3 MB).
   */
  maxBytes: number;
  /** Most bytes of the pickle (`data.pkl`), which holds the structure, not the tensor values. Default 64 MiB. */
  maxPickleBytes: number;
  /** Most memo entries of the pickle (objects it refers back to). Default 1,000,000. */
  maxMemo: number;
  /** Deepest nesting of pickle marks and of modules inside modules. Default 256. */
  maxDepth: number;
  /** Most module visits when walking a pickled module tree (shared submodules count each time). Default 100,000. */
  maxModules: number;
}

/** The default {@link TorchReadLimits}. */
export const DEFAULT_TORCH_READ_LIMITS: Readonly<TorchReadLimits> = Object.freeze({
  maxBytes: 1 << 30,
  maxPickleBytes: 64 << 20,
  maxMemo: 1_000_000,
  maxDepth: 256,
  maxModules: 100_000,
});
