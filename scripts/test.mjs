#!/usr/bin/env node
/**
 * The whole test suite: every vitest project (one per Node backend) and, when a Chromium is
 * present, the browser suite. Prints one closing line per suite and a total
 * `test: N passed, N failed, N skipped`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const outDir = join(root, '.cache', 'test');
mkdirSync(outDir, { recursive: true });
const extra = process.argv.slice(2);

const suites = [];
function runVitest(name, args) {
  const report = join(outDir, `${name}.json`);
  const result = spawnSync(
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
    { cwd: root, stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } },
  );
  let counts = { passed: 0, failed: 0, skipped: 0 };
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    counts = {
      passed: json.numPassedTests ?? 0,
      failed: (json.numFailedTests ?? 0) + (json.numFailedTestSuites ?? 0),
      skipped: (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0),
    };
  } catch {
    counts.failed += 1;
  }
  if (result.status !== 0 && counts.failed === 0) counts.failed = 1;
  suites.push({ name, ...counts });
}

for (const project of ['cpu', 'wasm']) runVitest(project, ['--project', project]);

// The browser suite (vitest browser mode in headless Chromium), one project per GPU backend, run
// one after the other (two Chromiums at once on a small machine made WebGPU's adapter request
// fail). Keep in step with BROWSER_BACKENDS / CHROMIUM_PATH in tooling/test-setup/browser.ts.
const browserProjects = ['webgl', 'webgpu'];
// biome-ignore lint/suspicious/noUndeclaredEnvVars: read by the test runner, not by a turbo task
const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const skippedSuites = [];
let skipReason = '';
if (existsSync(chromium)) {
  for (const project of browserProjects) runVitest(project, ['--project', project]);
} else {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: read by the test runner, not by a turbo task
  skipReason = process.env.CHROMIUM_PATH
    ? `CHROMIUM_PATH=${chromium} does not exist`
    : `no Chromium at ${chromium} and CHROMIUM_PATH is not set`;
  skippedSuites.push(...browserProjects);
  warnSkipped();
}

function warnSkipped() {
  const bar = '!'.repeat(78);
  console.warn(
    [
      '',
      bar,
      `!!! BROWSER TEST SUITE SKIPPED: ${skippedSuites.join(', ')}`,
      `!!! Reason: ${skipReason}.`,
      '!!! The library was NOT tested on the webgl/webgpu backends.',
      '!!! Fix: apt-get install -y chromium (Debian), or set CHROMIUM_PATH to a Chromium binary.',
      '!!! See docs/guide/testing.md.',
      bar,
      '',
    ].join('\n'),
  );
}

console.log('\nSuites:');
for (const s of suites)
  console.log(`  ${s.name}: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`);
for (const name of skippedSuites) console.log(`  ${name}: SKIPPED (suite not run: ${skipReason})`);
if (skippedSuites.length > 0) {
  console.log(`Skipped suites: ${skippedSuites.length} (${skippedSuites.join(', ')})`);
  warnSkipped();
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
