/**
 * The URL of the module `name` (no extension) in the folder of the calling module, given its
 * `import.meta.url`: the `.ts` source when the caller runs from source (tsx, vitest), else the
 * built `.js`. How a package names the files it hands to worker threads (the trainer's worker
 * entry, an app's replica module), which must be loadable by URL both in its tests and when built.
 *
 * ```ts
 * const replicaModule = siblingModuleUrl(import.meta.url, 'replica');
 * ```
 */
export function siblingModuleUrl(importMetaUrl: string, name: string): URL {
  const extension = importMetaUrl.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${extension}`, importMetaUrl);
}
