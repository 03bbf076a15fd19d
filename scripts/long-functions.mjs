#!/usr/bin/env node
/**
 * Lists the functions of `packages/*\/src` (tests, test helpers and `testing/` folders left out)
 * longer than a number of lines, longest first, and exits with 1 when any is longer than the
 * limit. A function's length is its lines from its first token (after its doc comment) to its
 * closing brace, as the editor numbers them.
 *
 *   node scripts/long-functions.mjs [--max 80] [--list N]
 *
 * --max: the limit (default 80, the house rule for top-level functions); --list: also list, without
 * failing, the functions over N lines (default: the limit). Counted: function declarations, methods,
 * constructors, accessors, and function expressions and arrows bound to a name (a variable, a
 * property); an unnamed callback is part of the function that contains it, except at module level.
 * Parsed with the TypeScript compiler API of this repository's `typescript`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

const ts = createRequire(import.meta.url)('typescript');
const root = join(import.meta.dirname, '..');

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 1) {
    console.error(
      `long-functions: --${name} must be a positive integer, got ${process.argv[i + 1]}`,
    );
    process.exit(2);
  }
  return value;
}
const max = option('max', 80);
const list = option('list', max);

/** Source files of the packages, without tests, test helpers, `testing/` folders and .d.ts. */
function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'testing' && name !== 'node_modules') out.push(...sourceFiles(path));
    } else if (/\.m?tsx?$/.test(name) && !/\.(test|test-helpers|d)\.m?tsx?$/.test(name)) {
      out.push(path);
    }
  }
  return out;
}

const isFunction = (node) =>
  ts.isFunctionDeclaration(node) ||
  ts.isMethodDeclaration(node) ||
  ts.isConstructorDeclaration(node) ||
  ts.isGetAccessorDeclaration(node) ||
  ts.isSetAccessorDeclaration(node) ||
  ts.isFunctionExpression(node) ||
  ts.isArrowFunction(node);

/** The function's name, or undefined for an unnamed callback. */
function nameOf(node, source) {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (node.name) return node.name.getText(source);
  const parent = node.parent;
  if (
    (ts.isVariableDeclaration(parent) ||
      ts.isPropertyAssignment(parent) ||
      ts.isPropertyDeclaration(parent)) &&
    parent.initializer === node
  ) {
    return parent.name.getText(source);
  }
  return undefined;
}

/** Every function over `limit` lines in one file: `{ lines, file, line, name }`. */
function longFunctions(path, limit) {
  const text = readFileSync(path, 'utf8');
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found = [];
  const visit = (node, inFunction) => {
    const fn = isFunction(node) && node.body !== undefined;
    if (fn) {
      const name = nameOf(node, source) ?? (inFunction ? undefined : '<callback>');
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.end).line;
      const lines = last - first + 1;
      if (name !== undefined && lines > limit) {
        found.push({ lines, file: relative(root, path), line: first + 1, name });
      }
    }
    ts.forEachChild(node, (child) => visit(child, inFunction || fn));
  };
  visit(source, false);
  return found;
}

const packagesDir = join(root, 'packages');
const files = readdirSync(packagesDir)
  .map((p) => join(packagesDir, p, 'src'))
  .filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory())
  .flatMap(sourceFiles);
const found = files.flatMap((f) => longFunctions(f, Math.min(list, max)));
found.sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file) || a.line - b.line);
const over = found.filter((f) => f.lines > max);
for (const f of found) {
  console.log(`${String(f.lines).padStart(5)}  ${f.file}:${f.line}  ${f.name}`);
}
console.log(
  `long-functions: ${over.length} function${over.length === 1 ? '' : 's'} over ${max} lines in ${files.length} files of packages/*/src (tests and testing/ left out)`,
);
process.exitCode = over.length > 0 ? 1 : 0;
