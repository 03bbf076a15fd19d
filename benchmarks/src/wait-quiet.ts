import { loadavg } from 'node:os';

function sleep(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Waits until the 1-minute load average is below 1.2, or `maxWait` seconds passed, so that a
 * measurement starts on a quiet machine where possible; returns the load it starts under.
 */
export function waitQuiet(maxWait: number): number {
  const t0 = Date.now();
  while (loadavg()[0]! > 1.2 && Date.now() - t0 < maxWait * 1000) sleep(15_000);
  return loadavg()[0]!;
}
