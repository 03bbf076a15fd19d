import { defineConfig, type Options } from 'tsup';

/**
 * The one tsup configuration of every library package: ESM with declarations and source maps.
 * tfjs-core's side-effect modules under `@tensorflow/tfjs-core/dist/` are extensionless ESM that
 * Node cannot load, so they are bundled (see docs/decisions/0003-tfjs-core-registration.md); the
 * tfjs-core package itself stays an external peer.
 */
export function defineLibraryConfig(entry: Record<string, string>, overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
    external: ['vitest', 'fast-check', /^@tensorflow\/tfjs-core$/, /^@gcnn\//],
    ...overrides,
  });
}
