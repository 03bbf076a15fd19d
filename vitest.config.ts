import { defineConfig } from 'vitest/config';

/**
 * The same test files run once per tfjs backend: one vitest project per backend. The backend is
 * chosen here, outside the code under test, and set up by tooling/test-setup/setup.ts.
 */
const backends = ['cpu', 'wasm'] as const;

export default defineConfig({
  resolve: { conditions: ['@gcnn/source'] },
  ssr: { resolve: { conditions: ['@gcnn/source'] } },
  test: {
    projects: backends.map((backend) => ({
      extends: true,
      test: {
        name: backend,
        include: ['packages/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
        setupFiles: ['tooling/test-setup/setup.ts'],
        provide: { backend },
        testTimeout: 60_000,
        hookTimeout: 60_000,
        // tfjs-core's gradient/chained-op registration modules are extensionless ESM that Node
        // cannot load; let Vite transform them (see docs/decisions/0003-tfjs-core-registration.md).
        server: { deps: { inline: [/@tensorflow\/tfjs-core\/dist\/(?!tf-core)/] } },
      },
    })),
  },
});
