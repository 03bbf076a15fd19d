/**
 * Preloaded (`node --import`) into a process whose peak RSS the benchmark reports, e.g. `gcnn
 * train` in `pnpm bench --main-job`: at exit, the main thread writes
 * `{ "peakRssMiB": … }` (`process.resourceUsage().maxRSS`: the whole process, worker threads
 * included) to the file named by GCNN_BENCH_PEAK_RSS_FILE. Worker threads inherit the preload
 * and skip it: their exit is not the process's.
 */
import { writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const file = process.env.GCNN_BENCH_PEAK_RSS_FILE;
if (file && isMainThread) {
  process.on('exit', () => {
    writeFileSync(file, JSON.stringify({ peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
  });
}
