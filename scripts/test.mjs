#!/usr/bin/env node
/**
 * The whole test suite: every vitest project (one per Node backend), the packed-install suite, the
 * webgpu-node suite when a Vulkan driver and the webgpu package are present, and, when a Chromium
 * is present, the browser suite (beside webgpu-node). Prints one closing line per suite and a total
 * `test: N passed, N failed, N skipped`.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const outDir = join(root, '.cache', 'test');
mkdirSync(outDir, { recursive: true });
const extra = process.argv.slice(2);

/** One entry per suite, in the order the suites start (the closing lines keep that order). */
const suites = [];

/**
 * Runs one vitest project (or the install suite) and records its counts from vitest's JSON
 * report. Output goes to the terminal, or with `log` to that file (a suite running beside
 * another).
 */
function runVitest(name, args, env = {}, log = undefined) {
  const report = join(outDir, `${name}.json`);
  rmSync(report, { force: true }); // a run that writes no report must not count the last one's
  const suite = { name, passed: 0, failed: 0, skipped: 0, seconds: 0 };
  suites.push(suite);
  const t0 = Date.now();
  const out = log === undefined ? 'inherit' : openSync(log, 'a');
  const child = spawn(
    process.execPath,
    [
      join(root, 'node_modules/vitest/vitest.mjs'),
      'run',
      ...args,
      '--reporter=default',
      `--reporter=json`,
      `--outputFile.json=${report}`,
      ...extra,
    ],
    {
      cwd: root,
      stdio: ['ignore', out, out],
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', ...env },
    },
  );
  return new Promise((resolve) => {
    child.on('error', (error) => console.error(`test: ${name}: ${error.message}`));
    child.on('close', (status) => {
      if (typeof out === 'number') closeSync(out);
      Object.assign(suite, countsOf(report), { seconds: Math.round((Date.now() - t0) / 1000) });
      if (status !== 0 && suite.failed === 0) suite.failed = 1;
      resolve();
    });
  });
}

/** Passed, failed and skipped tests of a vitest JSON report; a missing report is one failure. */
function countsOf(report) {
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    return {
      passed: json.numPassedTests ?? 0,
      failed: (json.numFailedTests ?? 0) + failedFilesWithoutFailedTest(json),
      skipped: (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0),
    };
  } catch {
    return { passed: 0, failed: 1, skipped: 0 };
  }
}

/**
 * Test files that failed with no failing test: an import error, a failing `beforeAll`. (Not
 * `numFailedTestSuites`: vitest counts every describe block and file above a failed test there, so
 * one failed test read as 3 failures.)
 */
function failedFilesWithoutFailedTest(json) {
  return (json.testResults ?? []).filter(
    (file) =>
      file.status === 'failed' && !file.assertionResults?.some((t) => t.status === 'failed'),
  ).length;
}

// The CLI's process tests (e.g. resume after SIGKILL) run the built `gcnn`; Node cannot load
// tfjs-core's gradient registration from source, so build first (turbo caches it).
const build = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules/turbo/bin/turbo'),
    'run',
    'build',
    '--filter=./packages/*',
    '--output-logs=errors-only',
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } },
);
if (build.status !== 0) {
  console.error('test: building the packages failed; see above');
  process.exit(1);
}

for (const project of ['cpu', 'wasm']) await runVitest(project, ['--project', project]);

// The packed packages installed from their tarballs into scratch projects outside the workspace
// (tests/install/; pnpm fetches what its store lacks from the npm registry).
await runVitest('install', ['--project', 'install']);

// The software-GPU suites: the browser suite (webgl, then webgpu, in headless Chromium) and the
// webgpu-node suite run at the same time. Each leaves a quarter to a third of the two cores idle,
// so side by side they finish sooner than one after the other (docs/guide/testing.md). The browser
// suite's output then goes to a log file, printed here when it ends; webgpu-node's comes live.
const webgpuNode = webgpuNodeAvailability();

// The browser suite (vitest browser mode in headless Chromium), one project per GPU backend, run
// one after the other (two Chromiums at once on a small machine made WebGPU's adapter request
// fail). Keep in step with BROWSER_BACKENDS / CHROMIUM_PATH in tooling/test-setup/browser.ts.
// `webgpu` joined the default run once @gcnn/backends corrected the two tfjs-backend-webgpu 4.22
// kernels behind its run-to-run gradient failures (docs/guide/testing.md).
const BROWSER_PROJECTS = ['webgl', 'webgpu'];

// biome-ignore lint/suspicious/noUndeclaredEnvVars: read by the test runner, not by a turbo task
const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const browserSuite = existsSync(chromium);
const skipped = [];
const browserLog = join(outDir, 'browser.log');
const browserLogName = relative(root, browserLog);
// Beside webgpu-node into the log; without webgpu-node, alone and live.
const browserRun = browserSuite ? runBrowserSuite(webgpuNode.ok) : undefined;
if (!browserSuite) {
  skipped.push({
    names: BROWSER_PROJECTS,
    // biome-ignore lint/suspicious/noUndeclaredEnvVars: read by the test runner, not by a turbo task
    reason: process.env.CHROMIUM_PATH
      ? `CHROMIUM_PATH=${chromium} does not exist`
      : `no Chromium at ${chromium} and CHROMIUM_PATH is not set`,
    what: 'The library was NOT tested on the webgl/webgpu backends in a browser.',
    fix: 'apt-get install -y chromium (Debian), or set CHROMIUM_PATH to a Chromium binary. See docs/guide/testing.md.',
  });
  warnSkipped(skipped.at(-1));
}

// The webgpu-node suite: tfjs-backend-webgpu in Node on Dawn (the `webgpu` npm package) over
// Vulkan — SwiftShader on CI, a GPU's driver elsewhere (docs/guide/backends.md). Needs the Vulkan
// loader, a driver manifest (ICD) and the webgpu package; skipped loudly otherwise.
if (webgpuNode.ok) {
  const xdg = join(outDir, 'xdg-runtime'); // Dawn/SwiftShader warn when XDG_RUNTIME_DIR is unset
  mkdirSync(xdg, { recursive: true, mode: 0o700 });
  console.log(`\nwebgpu-node: Vulkan driver(s) ${webgpuNode.icds.join(', ')}`);
  await runVitest('webgpu-node', ['--project', 'webgpu-node'], {
    // biome-ignore lint/suspicious/noUndeclaredEnvVars: read by the test runner, not by a turbo task
    XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR || xdg,
    ...webgpuNode.env,
  });
} else {
  skipped.push({
    names: ['webgpu-node'],
    reason: webgpuNode.reason,
    what: 'The library was NOT tested on webgpu in Node (Dawn).',
    fix: 'apt-get install -y libvulkan1 chromium, and VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (or a GPU driver ICD); see docs/guide/backends.md.',
  });
  warnSkipped(skipped.at(-1));
}

if (browserRun && webgpuNode.ok) {
  console.log(`\nWaiting for the browser suite (its output so far: ${browserLogName})`);
  await browserRun;
  console.log(`\nThe browser suite's output (${browserLogName}):\n`);
  process.stdout.write(readFileSync(browserLog, 'utf8'));
} else await browserRun;

/** Vulkan loader + ICD manifest + the webgpu package, or why not. */
function webgpuNodeAvailability() {
  const loaders = [
    '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
    '/usr/lib/aarch64-linux-gnu/libvulkan.so.1',
    '/usr/lib64/libvulkan.so.1',
    '/usr/lib/libvulkan.so.1',
  ];
  if (!loaders.some((p) => existsSync(p)))
    return { ok: false, reason: 'no Vulkan loader (libvulkan.so.1; Debian: libvulkan1)' };
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: read by the test runner, not by a turbo task
  const fromEnv = process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES;
  let icds;
  let env = {};
  if (fromEnv) {
    icds = fromEnv.split(':').filter((p) => p && existsSync(p));
    if (icds.length === 0)
      return { ok: false, reason: `VK_ICD_FILENAMES/VK_DRIVER_FILES=${fromEnv}: no such file` };
  } else {
    // A GPU driver's manifest (NVIDIA), else the SwiftShader ICD of Debian's chromium. Mesa's
    // manifests do not count: lavapipe is rejected by Dawn, intel/radeon need their hardware.
    const gpu = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d']
      .filter((d) => existsSync(d))
      .flatMap((d) => readdirSync(d).map((f) => join(d, f)))
      .filter((f) => /nvidia.*\.json$/.test(f));
    const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
    if (gpu.length > 0) icds = gpu;
    else if (existsSync(swiftshader)) {
      icds = [swiftshader];
      env = { VK_ICD_FILENAMES: swiftshader };
    } else
      return {
        ok: false,
        reason:
          'no Vulkan driver: VK_ICD_FILENAMES is unset, no NVIDIA ICD is installed and there is no /usr/lib/chromium/vk_swiftshader_icd.json (Debian chromium)',
      };
  }
  if (!existsSync(join(root, 'packages/backends/node_modules/webgpu/package.json')))
    return { ok: false, reason: 'the webgpu npm package (Dawn) is not installed' };
  return { ok: true, icds, env };
}

/** The browser projects one after the other; their output to {@link browserLog} if `toLog`. */
async function runBrowserSuite(toLog) {
  const log = toLog ? browserLog : undefined;
  if (toLog) {
    rmSync(browserLog, { force: true });
    console.log(
      `\n${BROWSER_PROJECTS.join(', ')} (Chromium ${chromium}): running beside webgpu-node, output in ${browserLogName}`,
    );
  }
  for (const project of BROWSER_PROJECTS)
    await runVitest(
      project,
      // Without vitest's results cache (file durations, which order the files): webgpu-node's
      // vitest may write the same file meanwhile, and one file at a time needs no ordering.
      ['--project', project, '--no-cache'],
      // The webgpu numerics ran in webgpu-node; Chromium's webgpu runs the files about the browser
      // as a host (WEBGPU_BROWSER_HOST_TESTS in tooling/test-setup/browser.ts).
      project === 'webgpu' && webgpuNode.ok ? { GCNN_WEBGPU_NUMERICS: 'node' } : {},
      log,
    );
}

function warnSkipped(s) {
  const bar = '!'.repeat(78);
  console.warn(
    [
      '',
      bar,
      `!!! TEST SUITE SKIPPED: ${s.names.join(', ')}`,
      `!!! Reason: ${s.reason}.`,
      `!!! ${s.what}`,
      `!!! Fix: ${s.fix}`,
      bar,
      '',
    ].join('\n'),
  );
}

console.log('\nSuites:');
for (const s of suites)
  console.log(
    `  ${s.name}: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped (${s.seconds} s)`,
  );
for (const s of skipped)
  for (const name of s.names) console.log(`  ${name}: SKIPPED (suite not run: ${s.reason})`);
if (skipped.length > 0) {
  const names = skipped.flatMap((s) => s.names);
  console.log(`Skipped suites: ${names.length} (${names.join(', ')})`);
  for (const s of skipped) warnSkipped(s);
}
const total = suites.reduce(
  (a, s) => ({
    passed: a.passed + s.passed,
    failed: a.failed + s.failed,
    skipped: a.skipped + s.skipped,
  }),
  { passed: 0, failed: 0, skipped: 0 },
);
console.log(`test: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed > 0 ? 1 : 0);
