import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import type { BenchReport } from './bench-report';

/** The CPU (lscpu's model, cores, caches), the core count and the Node version of this machine. */
export function machine(): BenchReport['machine'] {
  return {
    lscpu: execFileSync('lscpu', { encoding: 'utf8' })
      .split('\n')
      .filter((l) => /^(Model name|CPU\(s\)|Thread|Core|L2|L3)/.test(l))
      .map((l) => l.replace(/\s+/g, ' ').trim()),
    nproc: cpus().length,
    node: process.version,
  };
}
