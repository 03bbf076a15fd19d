/**
 * A bundled script served as a web page in headless Chromium, for the root tests that run an app
 * the way a user ships one (browser-bundle.test.ts, plain-tfjs-graph-model.test.ts).
 */
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../tooling/test-setup/browser';
import { serveDir, serverUrl } from './serve-dir';

export interface ModulePage {
  browser: Browser;
  /** The page's address: `http://127.0.0.1:<port>/`. */
  url: string;
  /** Closes Chromium and the server (the folder stays: its owner removes it). */
  close(): Promise<void>;
}

/**
 * Writes `dir/index.html` loading `script` (a file in `dir`) as an ES module, serves `dir` on
 * 127.0.0.1 and launches the system Chromium with the suite's flags.
 */
export async function serveModulePage(dir: string, script: string): Promise<ModulePage> {
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html><meta charset="utf-8"><script type="module" src="${script}"></script>`,
  );
  writeFileSync(join(dir, 'favicon.ico'), ''); // Chromium asks for one
  const server: Server = await serveDir(dir);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  return {
    browser,
    url: serverUrl(server),
    async close() {
      await browser.close();
      await new Promise((ok) => server.close(ok));
    },
  };
}
