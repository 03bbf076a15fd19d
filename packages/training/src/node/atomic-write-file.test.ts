/**
 * A full disk (ENOSPC) or a refused permission (EACCES) in the middle of a write: the error names
 * the file (Node's own message for `write` names none), the temp file is removed and the previous
 * file is intact. The errors are injected into `node:fs` (a real full disk is not at hand).
 */
import * as fs from 'node:fs';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { atomicWriteFile } from './atomic-write-file';
import { fileError } from './file-error';

/** The error the next `writeSync` (or `openSync`) of the module under test throws. */
const inject = vi.hoisted(() => ({
  write: undefined as string | undefined,
  open: undefined as string | undefined,
}));

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const errno = (code: string, syscall: string) =>
    Object.assign(new Error(`${code}: simulated, ${syscall}`), { code, syscall });
  return {
    ...real,
    writeSync: (...args: Parameters<typeof real.writeSync>) => {
      if (inject.write) throw errno(inject.write, 'write');
      return real.writeSync(...args);
    },
    openSync: (...args: Parameters<typeof real.openSync>) => {
      if (inject.open && args[1] === 'w') throw errno(inject.open, 'open');
      return real.openSync(...args);
    },
  };
});

const dir = mkdtempSync(join(tmpdir(), 'gcnn-write-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('atomicWriteFile on a full disk or without permission', () => {
  it.each([
    ['write', 'ENOSPC', 'no space left on the device (ENOSPC)'],
    ['write', 'EDQUOT', 'the disk quota is exhausted (EDQUOT)'],
    ['open', 'EACCES', 'permission denied (EACCES)'],
    ['open', 'EROFS', 'the file system is read-only (EROFS)'],
  ] as const)(
    '%s fails with %s: the error names the file, the old file is intact',
    (call, code, reason) => {
      const file = join(dir, 'last.json');
      atomicWriteFile(file, 'old');
      inject[call] = code;
      try {
        expect(() => atomicWriteFile(file, 'new')).toThrow(`cannot write '${file}': ${reason}`);
      } finally {
        inject[call] = undefined;
      }
      expect(readFileSync(file, 'utf8')).toBe('old');
      expect(readdirSync(dir)).toEqual(['last.json']);
      expect(fs.existsSync(file)).toBe(true);
    },
  );

  it('fileError keeps the original as the cause and its message for codes it does not know', () => {
    const original = Object.assign(new Error('EWEIRD: odd'), { code: 'EWEIRD' });
    const e = fileError(original, 'read', 'x.bin');
    expect(e.message).toBe("cannot read 'x.bin': EWEIRD: odd");
    expect(e.cause).toBe(original);
  });
});
