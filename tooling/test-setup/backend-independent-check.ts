/**
 * Keeps BACKEND_INDEPENDENT_TESTS honest: a test of a listed file that creates a tensor fails,
 * since its result could then depend on the backend that the wasm and webgpu suites leave untried.
 * Imported by each setup file (the listed files run in the cpu and webgl projects).
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, expect } from 'vitest';
import { BACKEND_INDEPENDENT_TESTS } from './backend-independent';

const LISTED = new Set(BACKEND_INDEPENDENT_TESTS.map((t) => t.file));

/** How many tensors tfjs-core has ever created (its internal `Engine.nextTensorId`, checked). */
function tensorsCreated(): number {
  const count = (tf.engine().constructor as unknown as { nextTensorId?: unknown }).nextTensorId;
  if (typeof count !== 'number')
    throw new Error(
      'test setup: tfjs-core has no Engine.nextTensorId any more; update tooling/test-setup/backend-independent-check.ts',
    );
  return count;
}

let before = 0;

beforeEach((context) => {
  if (LISTED.has(context.task.file.name)) before = tensorsCreated();
});

afterEach((context) => {
  const file = context.task.file.name;
  if (!LISTED.has(file)) return;
  const created = tensorsCreated() - before;
  expect(
    created,
    `${file} is in BACKEND_INDEPENDENT_TESTS (tooling/test-setup/backend-independent.ts), but this test created ${created} tensor(s): it depends on the backend, so take the file off that list`,
  ).toBe(0);
});
