/**
 * `@gcnn/lie-groups` as Node loads it from its built `dist/` (the `node` variant of its
 * `#register-tfjs` import): a plain Node process imports it beside tfjs-core and the cpu backend,
 * takes a gradient through a lie-groups op and uses a chained op, both of which need tfjs-core's
 * registrations, read from the app's tfjs-core (docs/decisions/0003-tfjs-core-registration.md).
 * The dist itself holds no tfjs-core code.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tolerance } from '@gcnn/test-utils';
import { describe, expect, inject, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'packages/lie-groups/dist');
const THETA = 0.3;

// Run from the workspace root, whose devDependencies resolve the three packages.
const SCRIPT = `
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { SO2 } from '@gcnn/lie-groups';
await tf.setBackend('cpu');
const point = tf.tensor1d([1, 0]);
const dTheta = tf.grad((t) => tf.sum(SO2.act(SO2.exp(t), point)))(tf.tensor1d([${THETA}]));
const squared = tf.scalar(3).square();
console.log(JSON.stringify({ gradient: (await dTheta.data())[0], chained: (await squared.data())[0] }));
`;

// A child process, not this test's tfjs: runs once, in the cpu project.
describe.skipIf(inject('backend') !== 'cpu')('@gcnn/lie-groups dist in Node', () => {
  it('registers gradients and chained ops from the installed tfjs-core', () => {
    if (!existsSync(join(DIST, 'index.js')))
      throw new Error('packages/lie-groups/dist is missing: run pnpm build first');
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const { gradient, chained } = JSON.parse(run.stdout.trim().split('\n').at(-1) as string);
    // d/dθ (cos θ + sin θ), through tfjs-core's Sin/Cos/Mul/Sum gradients on cpu.
    const expected = Math.cos(THETA) - Math.sin(THETA);
    expect(Math.abs(gradient - expected) / Math.abs(expected)).toBeLessThanOrEqual(
      tolerance('trig'),
    );
    expect(chained).toBe(9);
  });

  it('ships no copy of tfjs-core', () => {
    const files = readdirSync(DIST, { recursive: true, encoding: 'utf8' });
    for (const f of files.filter((f) => f.endsWith('.js')))
      expect(readFileSync(join(DIST, f), 'utf8'), f).not.toMatch(/Tensor is disposed\./);
  });
});
