import { defineConfig, type Options } from 'tsup';

/**
 * The one tsup configuration of every library package: ESM with declarations and source maps.
 * `@tensorflow/tfjs-core` and its `dist/` modules stay external: the app's copy is the one used
 * (docs/decisions/0003-tfjs-core-registration.md), as are other gcnn packages and a package's own
 * `#…` subpath imports (package.json `imports`, resolved per environment when the app runs).
 */
export function defineLibraryConfig(entry: Record<string, string>, overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    external: ['vitest', 'fast-check', /^@tensorflow\/tfjs-core(\/|$)/, /^@gcnn\//, /^#/],
    ...overrides,
  });
}
