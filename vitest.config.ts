import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { playwright } from '@vitest/browser-playwright';
import { configDefaults, defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { BACKEND_INDEPENDENT_TESTS } from './tooling/test-setup/backend-independent.js';
import {
  BROWSER_BACKENDS,
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  NODE_ONLY_TESTS,
  WEBGPU_BROWSER_HOST_TESTS,
} from './tooling/test-setup/browser.js';
import { WASM_KERNEL_TESTS } from './tooling/test-setup/wasm-kernel-tests.js';
import { WEBGPU_NODE_EXCLUDED } from './tooling/test-setup/webgpu-node.js';

/**
 * The backend-independent test files, checked: each exists and never reads the suite's backend
 * (a file that does is backend-sensitive). Left out of the wasm, webgpu-node and webgpu projects;
 * the setup files check that their tests create no tensor (backend-independent-check.ts).
 */
const backendIndependent = BACKEND_INDEPENDENT_TESTS.map(({ file }) => {
  const path = fileURLToPath(new URL(file, import.meta.url));
  if (!existsSync(path))
    throw new Error(`BACKEND_INDEPENDENT_TESTS lists ${file}, which does not exist`);
  if (/\binject\(|\btestBackend\(/.test(readFileSync(path, 'utf8')))
    throw new Error(
      `BACKEND_INDEPENDENT_TESTS lists ${file}, which reads the suite's backend: take it off the list`,
    );
  return file;
});

for (const { file } of WEBGPU_BROWSER_HOST_TESTS) {
  if (!existsSync(fileURLToPath(new URL(file, import.meta.url))))
    throw new Error(`WEBGPU_BROWSER_HOST_TESTS lists ${file}, which does not exist`);
}

/**
 * Set by scripts/test.mjs when the `webgpu-node` suite runs: the `webgpu` (Chromium) project then
 * runs only WEBGPU_BROWSER_HOST_TESTS, since the webgpu numerics already ran in Node.
 */
// biome-ignore lint/suspicious/noUndeclaredEnvVars: set by scripts/test.mjs, not by a turbo task
const webgpuNumericsInNode = process.env.GCNN_WEBGPU_NUMERICS === 'node';

/**
 * The same test files run once per tfjs backend: one vitest project per backend. The backend is
 * chosen here, outside the code under test, and set up by tooling/test-setup/setup.ts.
 */
const backends = ['cpu', 'wasm'] as const;

/**
 * The browser suite: the packages' test files again, in headless Chromium (vitest browser mode,
 * Playwright driving the system Chromium), once per GPU backend. Setup: setup-browser.ts; which
 * Chromium, its flags and the Node-only test files: tooling/test-setup/browser.ts;
 * docs/guide/testing.md.
 */
const browserProjects = BROWSER_BACKENDS.map(
  (backend): TestProjectInlineConfiguration => ({
    extends: true,
    // The root's `@gcnn/source` replaces Vite's default client conditions; the browser needs
    // them back (`browser` also selects @gcnn/test-utils' browser fixture loader).
    resolve: { conditions: ['browser', 'module', 'development|production'] },
    optimizeDeps: {
      include: [
        '@tensorflow/tfjs-core',
        '@tensorflow/tfjs-core/dist/register_all_gradients.js',
        '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js',
        '@tensorflow/tfjs-backend-cpu',
        '@tensorflow/tfjs-backend-webgl',
        '@tensorflow/tfjs-backend-webgpu',
        '@tensorflow/tfjs-converter',
        '@tensorflow/tfjs-layers',
        'fast-check',
        '@fast-check/vitest',
      ],
    },
    test: {
      name: backend,
      include:
        backend === 'webgpu' && webgpuNumericsInNode
          ? WEBGPU_BROWSER_HOST_TESTS.map((t) => t.file)
          : ['packages/*/src/**/*.test.ts'],
      // Backend-independent files once in the browser: in the webgl project.
      exclude: [
        ...NODE_ONLY_TESTS.map((t) => t.glob),
        WASM_KERNEL_TESTS.glob,
        ...(backend === 'webgl' ? [] : backendIndependent),
      ],
      setupFiles: ['tooling/test-setup/setup-browser.ts'],
      provide: { backend },
      testTimeout: 120_000,
      hookTimeout: 120_000,
      browser: {
        enabled: true,
        headless: true,
        provider: playwright({
          launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
        }),
        instances: [{ browser: 'chromium' }],
        screenshotFailures: false,
      },
    },
  }),
);

export default defineConfig({
  resolve: { conditions: ['@gcnn/source'] },
  ssr: { resolve: { conditions: ['@gcnn/source'] } },
  test: {
    projects: [
      ...backends.map(
        (backend): TestProjectInlineConfiguration => ({
          extends: true,
          test: {
            name: backend,
            include: [
              'packages/*/src/**/*.test.ts',
              'tests/**/*.test.ts',
              // The benchmarks' orchestration (no tensors): once is enough.
              ...(backend === 'cpu' ? ['benchmarks/src/**/*.test.ts'] : []),
            ],
            exclude: [
              ...configDefaults.exclude,
              'tests/install/**',
              ...(backend === 'cpu' ? [] : backendIndependent),
            ],
            setupFiles: ['tooling/test-setup/setup.ts'],
            provide: { backend },
            // tfjs' cpu and wasm backends compute on one thread, so one test file per core. (Vitest
            // takes cores − 1 by default: one file at a time on the 2-core CI machine. webgpu-node
            // and the browser projects keep the default: SwiftShader already uses both cores, and
            // two webgpu-node files at once took 112 s against 86 s one after the other.)
            maxWorkers: availableParallelism(),
            testTimeout: 60_000,
            hookTimeout: 60_000,
            // tfjs-core's gradient/chained-op registration modules are extensionless ESM that Node
            // cannot load; let Vite transform them (see docs/decisions/0003-tfjs-core-registration.md).
            server: { deps: { inline: [/@tensorflow\/tfjs-core\/dist\/(?!tf-core)/] } },
          },
        }),
      ),
      // The packed packages installed outside the workspace (needs the build and the npm registry):
      // its own suite in scripts/test.mjs.
      {
        extends: true,
        test: {
          name: 'install',
          include: ['tests/install/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      // tfjs-backend-webgpu in Node on Dawn (the `webgpu` npm package) over Vulkan: on CI the
      // SwiftShader ICD of Debian's chromium, on a GPU machine its driver. Run by scripts/test.mjs
      // only where a Vulkan driver and the webgpu package are found (docs/guide/backends.md).
      {
        extends: true,
        test: {
          name: 'webgpu-node',
          include: ['packages/*/src/**/*.test.ts'],
          exclude: [...WEBGPU_NODE_EXCLUDED.map((t) => t.glob), ...backendIndependent],
          setupFiles: ['tooling/test-setup/setup-webgpu-node.ts'],
          provide: { backend: 'webgpu' },
          testTimeout: 180_000,
          hookTimeout: 120_000,
          server: { deps: { inline: [/@tensorflow\/tfjs-core\/dist\/(?!tf-core)/] } },
        },
      },
      ...browserProjects,
    ],
  },
});
