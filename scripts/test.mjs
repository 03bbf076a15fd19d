#!/usr/bin/env node
/**
 * The whole test suite: every vitest project (one per Node backend) and, when a Chromium is
 * present, the browser suite. Prints one closing line per suite and a total
 * `test: N passed, N failed, N skipped`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
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
    [join(root, 'node_modules/vitest/vitest.mjs'), 'run', ...args, '--reporter=default', `--reporter=json`, `--outputFile.json=${report}`, ...extra],
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

console.log('\nSuites:');
for (const s of suites) console.log(`  ${s.name}: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`);
const total = suites.reduce((a, s) => ({ passed: a.passed + s.passed, failed: a.failed + s.failed, skipped: a.skipped + s.skipped }), { passed: 0, failed: 0, skipped: 0 });
console.log(`test: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed > 0 ? 1 : 0);
