/**
 * All-or-nothing output folders (`gcnn export`, `gcnn import-torch`): the files appear only when
 * the whole write and its check succeeded; a failure leaves nothing; a killed writer's staging
 * folder is removed by the next one.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ONCE } from './cli.test-helpers';
import { writeStaged } from './write-staged';

describe.skipIf(!ONCE)('writeStaged', () => {
  const root = mkdtempSync(join(tmpdir(), 'gcnn-staged-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write =
    (files: Record<string, string>, fail = false) =>
    async (dir: string) => {
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
      if (fail) throw new Error('the read-back check failed');
      return 'ok';
    };

  it('creates the folder with every file, or adds them to an existing one keeping its others', async () => {
    const out = join(root, 'a', 'model');
    expect(
      await writeStaged(out, write({ 'model.json': '{}', 'model.weights.bin': 'w' }), () => {}),
    ).toBe('ok');
    expect(readdirSync(out).sort()).toEqual(['model.json', 'model.weights.bin']);
    writeFileSync(join(out, 'README.md'), 'mine');
    await writeStaged(out, write({ 'model.json': '{"v":2}', 'model.weights.bin': 'w2' }), () => {});
    expect(readdirSync(out).sort()).toEqual(['README.md', 'model.json', 'model.weights.bin']);
    expect(readFileSync(join(out, 'model.json'), 'utf8')).toBe('{"v":2}');
    expect(readdirSync(join(root, 'a'))).toEqual(['model']);
  });

  it('a failed write or check leaves no file: neither a new folder nor changes to an existing one', async () => {
    const fresh = join(root, 'b', 'model');
    await expect(writeStaged(fresh, write({ 'model.json': '{}' }, true), () => {})).rejects.toThrow(
      'the read-back check failed',
    );
    expect(existsSync(fresh)).toBe(false);
    expect(readdirSync(join(root, 'b'))).toEqual([]);
    const existing = join(root, 'c');
    mkdirSync(existing);
    writeFileSync(join(existing, 'model.json'), 'old');
    await expect(
      writeStaged(existing, write({ 'model.json': 'new', 'x.bin': 'x' }, true), () => {}),
    ).rejects.toThrow();
    expect(readdirSync(existing)).toEqual(['model.json']);
    expect(readFileSync(join(existing, 'model.json'), 'utf8')).toBe('old');
    expect(readdirSync(root).filter((f) => f.includes('staging'))).toEqual([]);
    writeFileSync(join(root, 'file'), 'x');
    await expect(writeStaged(join(root, 'file'), write({}), () => {})).rejects.toThrow(
      /is a file, expected a folder/,
    );
  });

  it("removes a killed writer's staging folder and says so", async () => {
    const dead = Number(
      spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout,
    );
    const stale = join(root, `.d.staging-${dead}-1764849600000`);
    mkdirSync(stale);
    writeFileSync(join(stale, 'model.weights.bin'), 'half');
    const notices: string[] = [];
    await writeStaged(join(root, 'd'), write({ 'model.json': '{}' }), (l) => notices.push(l));
    expect(existsSync(stale)).toBe(false);
    expect(notices).toEqual([`removed the staging folder of an interrupted write: ${stale}`]);
  });
});
