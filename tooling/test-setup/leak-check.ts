/**
 * The per-test tensor-leak check of every suite: a passing test must leave
 * `tf.memory().numTensors` as it found it. Imported by each setup file.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, expect } from 'vitest';

let before = 0;

beforeEach(() => {
  before = tf.memory().numTensors;
});

afterEach((context) => {
  if (context.task.result?.state === 'fail') return;
  const leaked = tf.memory().numTensors - before;
  expect(leaked, `test leaked ${leaked} tensor(s)`).toBe(0);
});
