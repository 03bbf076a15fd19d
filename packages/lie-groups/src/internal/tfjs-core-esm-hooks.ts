/**
 * @file Node module hooks (`module.register`) that let Node load tfjs-core 4.x's `dist/` ES modules:
 * they import `./engine` without an extension and live in a package without `"type": "module"`.
 * Only files under `@tensorflow/tfjs-core/dist/` are touched (not its `tf-core*.js` bundles, which
 * are what `import '@tensorflow/tfjs-core'` loads in Node); every other import passes through.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const TFJS_CORE_DIST = '/@tensorflow/tfjs-core/dist/';

/** A tfjs-core ES module: under its `dist/`, not one of its UMD/CommonJS bundles. */
function isTfjsCoreModule(url: string | undefined): url is string {
  if (url === undefined || !url.startsWith('file:')) return false;
  const at = url.indexOf(TFJS_CORE_DIST);
  if (at < 0) return false;
  const rest = url.slice(at + TFJS_CORE_DIST.length);
  return rest.endsWith('.js') && !rest.startsWith('tf-core') && !rest.startsWith('miniprogram/');
}

interface ResolveContext {
  parentURL?: string;
}
interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
interface LoadResult {
  format: string;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}

/** `./engine` from a tfjs-core module is `./engine.js`, or `./engine/index.js` for a folder. */
export function resolve(
  specifier: string,
  context: ResolveContext,
  next: (specifier: string, context: ResolveContext) => ResolveResult | Promise<ResolveResult>,
): ResolveResult | Promise<ResolveResult> {
  const relative = specifier.startsWith('./') || specifier.startsWith('../');
  if (!relative || specifier.endsWith('.js') || !isTfjsCoreModule(context.parentURL))
    return next(specifier, context);
  const file = new URL(`${specifier}.js`, context.parentURL);
  const url = existsSync(fileURLToPath(file))
    ? file
    : new URL(`${specifier}/index.js`, context.parentURL);
  return { url: url.href, format: 'module', shortCircuit: true };
}

/** tfjs-core's `dist/*.js` are ES modules (Node would read them as CommonJS). */
export function load(
  url: string,
  context: { format?: string | null },
  next: (url: string, context: { format?: string | null }) => LoadResult | Promise<LoadResult>,
): LoadResult | Promise<LoadResult> {
  if (!isTfjsCoreModule(url)) return next(url, context);
  return { format: 'module', source: readFileSync(fileURLToPath(url)), shortCircuit: true };
}
