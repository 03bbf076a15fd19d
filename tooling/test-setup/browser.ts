/**
 * The browser test suite's configuration, in one place: which Chromium, with which flags, and which
 * test files cannot run in a browser. Read by vitest.config.ts and scripts/test.mjs.
 */
import { existsSync } from 'node:fs';

/** Backends run in headless Chromium, one vitest project each (setup: setup-browser.ts). */
export const BROWSER_BACKENDS = ['webgl', 'webgpu'] as const;

/** The Chromium to drive: `CHROMIUM_PATH`, else Debian's `chromium` package. */
// biome-ignore lint/suspicious/noUndeclaredEnvVars: read by the test runner, not by a turbo task
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const chromiumFound = (): boolean => existsSync(CHROMIUM_PATH);

/**
 * Headless Chromium on a machine without a GPU: WebGL2 through ANGLE on SwiftShader (Vulkan), and
 * WebGPU on SwiftShader, which Chromium only offers with --enable-unsafe-webgpu
 * (the team's tooling research, tfjs 4.22 on this machine kind). `--enable-features=Vulkan --use-vulkan=swiftshader` make
 * tfjs-backend-webgpu's synchronous read (`dataSync`, which copies through a WebGPU canvas into a
 * 2D canvas) work: without them it returned zeros and then lost the device
 * ("A valid external Instance reference no longer exists"); measured with Chromium 156.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
];

/**
 * Test files that need Node and so are left out of the browser projects. Every entry says why.
 * Never rename or comment out a test to keep it out of the browser: add it here.
 */
export const NODE_ONLY_TESTS: ReadonlyArray<{ glob: string; reason: string }> = [
  {
    glob: 'packages/*/src/node/**',
    reason:
      "a package's src/node/ is its Node-only entry (node:fs, node:zlib, file caches), e.g. @gcnn/datasets/node's loaders",
  },
  {
    glob: 'packages/datasets/src/generate-mnist-variant.test.ts',
    reason: 'hashes with node:crypto and reads MNIST through the Node loader (src/node/load-mnist)',
  },
  {
    glob: 'packages/backends/src/select-backend.test.ts',
    reason:
      "checks selectBackend's Node behaviour (tfjs-node and Dawn error messages, webgpu in Node); in a browser those backends do not exist",
  },
  {
    glob: 'packages/cli/**',
    reason:
      'the gcnn command line tool: spawns Node processes, writes run folders, picks Node backends',
  },
  {
    glob: 'packages/datasets/src/root-entry.test.ts',
    reason: "reads the package's sources with node:fs to check that the root entry is browser-safe",
  },
  {
    glob: 'packages/models/src/integer-shapes.test.ts',
    reason:
      "asks V8 (node:v8's flags, then %HasDoubleElements and %IsSmi) how shapes are stored: Node's V8 only",
  },
];

/**
 * The `webgpu` project's files when `pnpm test` runs the `webgpu-node` suite too: the files about
 * the browser as a host. Every other webgpu file is numerics of tfjs-backend-webgpu's WGSL
 * kernels, which are the same in Node (Dawn, the `webgpu` npm package) and in Chromium (its own
 * Dawn) on the same Vulkan driver, and which the tests read the same way in both (asynchronously,
 * docs/guide/testing.md): they run once, in `webgpu-node`, the faster host for most files here
 * (248 s in Node against 318 s in Chromium for the 42 files both ran, 2026-12-06). Without a
 * Vulkan driver for Node, or with `vitest --project webgpu` alone, the `webgpu` project runs every
 * file.
 */
export const WEBGPU_BROWSER_HOST_TESTS: ReadonlyArray<{ file: string; reason: string }> = [
  {
    file: 'packages/models/src/io/browser-storage.test.ts',
    reason: "tf.io's browser stores (indexeddb://, localstorage://) exist only in a browser",
  },
  {
    file: 'packages/layers/src/layers-model.test.ts',
    reason: 'tfjs-layers models round-trip through indexeddb:// in Chromium',
  },
  {
    file: 'packages/models/src/freeze/freeze-model.test.ts',
    reason:
      'the demo model frozen and run by loadGraphModel in the browser (a describe that needs `window`)',
  },
  {
    file: 'packages/backends/src/webgpu-trig.test.ts',
    reason:
      "gcnn's Sin/Cos kernels compiled by Chromium's Dawn (Tint), whose version differs from the webgpu npm package's",
  },
  {
    file: 'packages/models/src/reference-parity.test.ts',
    reason:
      "whole models against the reference's fixtures: the forward shaders as Chromium's Dawn compiles them",
  },
  {
    file: 'packages/models/src/cross-backend-training-step.test.ts',
    reason:
      "a whole training step against cpu: the backward shaders as Chromium's Dawn compiles them",
  },
];
