import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchmarks = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * `doc` with the lines between `<!-- <name>:start -->` and `<!-- <name>:end -->` replaced by
 * `lines`; throws when a marker is missing.
 */
export function replaceBetweenMarkers(doc: string, name: string, lines: readonly string[]): string {
  const [start, end] = [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`];
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`docs/benchmarks.md lacks the ${start} … ${end} markers`);
  return `${doc.slice(0, i + start.length)}\n${lines.join('\n')}\n${doc.slice(j)}`;
}

/**
 * Writes benchmarks/results/<name>.json (the report) and <name>.md (its table); with `docMarker`
 * also the table into docs/benchmarks.md between that marker pair. Only full runs pass one: a
 * quick run's few repetitions on a busy machine are not the project's numbers.
 */
export function writeResults(
  name: string,
  report: unknown,
  lines: readonly string[],
  docMarker?: string,
): void {
  mkdirSync(join(benchmarks, 'results'), { recursive: true });
  writeFileSync(
    join(benchmarks, 'results', `${name}.json`),
    `${JSON.stringify(report, null, 2)}\n`,
  );
  writeFileSync(join(benchmarks, 'results', `${name}.md`), `${lines.join('\n')}\n`);
  console.log(`wrote benchmarks/results/${name}.json and .md`);
  if (docMarker === undefined) return;
  const docPath = join(benchmarks, '..', 'docs', 'benchmarks.md');
  writeFileSync(docPath, replaceBetweenMarkers(readFileSync(docPath, 'utf8'), docMarker, lines));
  console.log('wrote docs/benchmarks.md');
}
