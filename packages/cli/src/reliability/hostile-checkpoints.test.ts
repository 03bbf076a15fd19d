/**
 * Damaged and hostile checkpoints through the command line: truncated, flipped, garbage, edited
 * (index, progress, RNG state), and random bytes or JSON (fast-check). Each is refused with exit
 * code 1 and one line naming the file and the entry; nothing is loaded.
 */
import { cpSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ONCE, useCliSandbox } from '../cli.test-helpers';
import { TINY } from './reliability.test-helpers';

type Manifest = {
  weights: { file: string; entries: Array<{ name: string; shape: number[] }> };
  progress: Record<string, unknown>;
} & Record<string, unknown>;

describe.skipIf(!ONCE)('gcnn: hostile checkpoints', () => {
  const box = useCliSandbox('gcnn-hostile-');
  let copies = 0;
  const run = () => join(box.dir, 'run');
  /** A copy of the run's checkpoints, damaged by `damage(manifestPath, weightsPath)`. */
  const damaged = (damage: (manifest: string, weights: string) => void): string => {
    const dir = join(box.dir, `copy-${copies++}`);
    cpSync(join(run(), 'checkpoints'), dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, 'last.json'), 'utf8')) as Manifest;
    damage(join(dir, 'last.json'), join(dir, manifest.weights.file));
    return dir;
  };
  const editJson = (path: string, edit: (m: Manifest) => unknown) => {
    const m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
    edit(m);
    writeFileSync(path, JSON.stringify(m));
  };
  const evaluate = (dir: string) =>
    box.run(['evaluate', '--checkpoint', dir, '--kind', 'last', '--backend', 'cpu']);

  it('refuses each damage naming the file and the entry', async () => {
    const made = await box.run(['train', ...TINY, '--epochs', '1', '--out', run()]);
    expect(made.code, made.err).toBe(0);
    expect((await evaluate(damaged(() => {}))).code).toBe(0); // an intact copy evaluates
    const cases: Array<[string, (m: string, w: string) => void, RegExp]> = [
      [
        'truncated weights',
        (_m, w) => truncateSync(w, 100),
        /weights file '.*\.weights\.bin' named by '.*last\.json': it has 100 bytes, the manifest expects \d+ \(truncated or replaced\)/,
      ],
      [
        'a flipped byte',
        (_m, w) => {
          const b = readFileSync(w);
          b[40] = (b[40] as number) ^ 1;
          writeFileSync(w, b);
        },
        /weights file '.*\.weights\.bin' has SHA-256 [0-9a-f]{64}, the manifest expects [0-9a-f]{64} \(corrupt or replaced\)/,
      ],
      [
        'a truncated manifest',
        (m) => truncateSync(m, 200),
        /manifest '.*last\.json' is not valid JSON \(.*\); truncated\?/,
      ],
      [
        'two same-shaped entries swapped',
        (m) =>
          editJson(m, (j) => {
            const e = j.weights.entries.filter((x) => x.name.startsWith('model/'));
            const [a, b] = e.filter((x) => e.some((y) => y !== x && `${y.shape}` === `${x.shape}`));
            [a!.name, b!.name] = [b!.name, a!.name];
          }),
        /manifest '.*last\.json' does not match its manifestSha256/,
      ],
      [
        'a bad RNG state',
        (m) => editJson(m, (j) => (j.progress.epochStartRng = 'x')),
        /manifest '.*last\.json' entry 'progress\.epochStartRng' is "x", expected 4 unsigned 32-bit integers, not all 0/,
      ],
      [
        'a weights file outside the folder',
        (m) => editJson(m, (j) => (j.weights.file = '../../secret.bin')),
        /manifest '.*last\.json' entry 'weights\.file' is "\.\.\/\.\.\/secret\.bin", expected a plain file name/,
      ],
      [
        'an array',
        (m) => writeFileSync(m, '[]'),
        /manifest '.*last\.json' is \[\], expected a JSON object/,
      ],
    ];
    for (const [name, damage, message] of cases) {
      const r = await evaluate(damaged(damage));
      expect(r.code, name).toBe(1);
      expect(r.err, name).toMatch(message);
      expect(r.err, name).not.toMatch(/\n\s+at /); // no stack trace
    }
  });

  test.prop([fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.jsonValue({ maxDepth: 3 }))], {
    numRuns: 15,
  })('random bytes or JSON as the manifest are refused naming it', async (content) => {
    const dir = damaged((m) =>
      writeFileSync(m, content instanceof Uint8Array ? content : (JSON.stringify(content) ?? '')),
    );
    const r = await evaluate(dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`manifest '${join(dir, 'last.json')}'`));
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});
