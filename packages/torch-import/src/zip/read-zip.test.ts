import { fc, test } from '@fast-check/vitest';
import { loadTorchCheckpointFile } from '@gcnn/test-utils';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { TorchCheckpointError } from '../errors';
import { crc32 } from './crc32';
import { readZip } from './read-zip';

const where = { source: 'test.zip' };
const MiB = 1 << 20;
const text = (s: string) => new TextEncoder().encode(s);

/** Offsets of a zip written by fflate (no comment): the end record and the central directory entries. */
function layout(zip: Uint8Array) {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const eocd = zip.length - 22;
  const entries: number[] = [];
  for (let i = 0, p = view.getUint32(eocd + 16, true); i < view.getUint16(eocd + 10, true); i++) {
    entries.push(p);
    p +=
      46 +
      view.getUint16(p + 28, true) +
      view.getUint16(p + 30, true) +
      view.getUint16(p + 32, true);
  }
  return { view, eocd, entries };
}

function readAll(zip: Uint8Array, maxBytes = 64 * MiB): Map<string, Uint8Array> {
  const archive = readZip(zip, where, maxBytes);
  return new Map([...archive.entries.keys()].map((name) => [name, archive.read(name)]));
}

describe('readZip', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(text('123456789'))).toBe(0xcbf43926);
  });

  it('reads stored and deflated entries', () => {
    const files = {
      'a/x.bin': Uint8Array.from({ length: 5000 }, (_, i) => i % 7),
      'a/y': text('hello'),
    };
    for (const level of [0, 6] as const) {
      const zip = zipSync({
        'a/x.bin': [files['a/x.bin'], { level }],
        'a/y': [files['a/y'], { level }],
      });
      const read = readAll(zip);
      expect([...read.keys()].sort()).toEqual(['a/x.bin', 'a/y']);
      expect(read.get('a/x.bin')).toEqual(files['a/x.bin']);
      expect(new TextDecoder().decode(read.get('a/y'))).toBe('hello');
    }
  });

  it("reads PyTorch's layout: zip64 end records, data descriptors, 64-byte aligned stored entries", async () => {
    const bytes = await loadTorchCheckpointFile('se2_ckgresnet_separable.pt');
    const archive = readZip(bytes, where, 64 * MiB);
    expect(archive.entries.size).toBe(136);
    const pkl = archive.entries.get('se2_ckgresnet_separable/data.pkl');
    expect(pkl).toMatchObject({ method: 0, size: 41_637 });
    expect([...archive.read('se2_ckgresnet_separable/data.pkl').subarray(0, 2)]).toEqual([0x80, 2]);
    for (const e of archive.entries.values())
      if (e.name.includes('/data/')) expect(e.dataOffset % 64).toBe(0);
  });

  it('refuses what is not a zip, and archives it cannot read', () => {
    expect(() => readZip(text('not a zip at all, just some text'), where, MiB)).toThrow(
      /has no zip end-of-central-directory record: not a zip archive, or truncated/,
    );
    const zip = zipSync({ f: [text('secret'), { level: 0 }] });
    const { view, entries } = layout(zip);
    const encrypted = zip.slice();
    new DataView(encrypted.buffer).setUint16((entries[0] as number) + 8, 1, true);
    expect(() => readZip(encrypted, where, MiB)).toThrow(/has an encrypted entry 'f'/);
    const bzip2 = zip.slice();
    new DataView(bzip2.buffer).setUint16((entries[0] as number) + 10, 12, true);
    expect(() => readZip(bzip2, where, MiB)).toThrow(
      /compressed with method 12; only stored \(0\) and deflate \(8\)/,
    );
    const corrupt = zip.slice();
    const dataByte = view.getUint32((entries[0] as number) + 42, true) + 30 + 1; // 'f' has a 1-byte name
    corrupt[dataByte] = (corrupt[dataByte] as number) ^ 0xff;
    expect(() => readAll(corrupt)).toThrow(/whose CRC-32 does not match: corrupt/);
  });

  it('refuses zip bombs: too much declared, more inflated than declared, impossible ratios, overlapping entries', () => {
    const zeros = new Uint8Array(8 * MiB);
    const bomb = zipSync({ zeros: [zeros, { level: 9 }] });
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(() => readZip(bomb, where, MiB)).toThrow(
      /would decompress to more than 1048576 bytes \(the maxBytes limit; entry 'zeros' declares 8388608\)/,
    );
    const { entries } = layout(bomb);
    const cd = entries[0] as number;
    const lying = bomb.slice();
    new DataView(lying.buffer).setUint32(cd + 24, 1000, true); // declares 1000 bytes
    expect(() => readAll(lying)).toThrow(
      /inflating to more than its declared 1000 bytes \(a zip bomb/,
    );
    const ratio = bomb.slice();
    const v = new DataView(ratio.buffer);
    v.setUint32(cd + 24, v.getUint32(cd + 20, true) * 2000, true);
    expect(() => readZip(ratio, where, 1 << 30)).toThrow(
      /beyond deflate's 1032:1 \(a zip bomb or corrupt sizes\)/,
    );

    const two = zipSync({ a: [text('aaaa'), { level: 0 }], b: [text('bbbb'), { level: 0 }] });
    const l2 = layout(two);
    const [ca, cb] = l2.entries as [number, number];
    // Stretch 'a' over 'b's local header: two entries reading the same bytes.
    const stretch =
      l2.view.getUint32(cb + 42, true) + 30 + 1 + 4 - (l2.view.getUint32(ca + 42, true) + 30 + 1);
    const overlap = two.slice();
    new DataView(overlap.buffer).setUint32(ca + 20, stretch, true);
    new DataView(overlap.buffer).setUint32(ca + 24, stretch, true);
    expect(() => readZip(overlap, where, MiB)).toThrow(/has entries 'a' and 'b' that overlap/);
  });

  test.prop([fc.nat(), fc.integer({ min: 1, max: 255 })], { numRuns: 300 })(
    'a cut or a flipped byte anywhere gives the same entries or a TorchCheckpointError',
    (at, flip) => {
      const files = {
        'm/data.pkl': text('pickle bytes'),
        'm/data/0': Uint8Array.from({ length: 300 }, (_, i) => i),
      };
      const zip = zipSync({
        'm/data.pkl': [files['m/data.pkl'], { level: 6 }],
        'm/data/0': [files['m/data/0'], { level: 0 }],
      });
      const cut = zip.subarray(0, at % zip.length);
      const flipped = zip.slice();
      flipped[at % zip.length] = (flipped[at % zip.length] as number) ^ flip;
      for (const bytes of [cut, flipped]) {
        try {
          const read = readAll(bytes);
          for (const [name, data] of read) expect(data).toEqual(files[name as keyof typeof files]);
        } catch (error) {
          expect(error).toBeInstanceOf(TorchCheckpointError);
        }
      }
    },
  );
});
