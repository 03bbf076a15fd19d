import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { MNIST_ROT_PROTOCOL } from '../mnist-variant-protocol';
import { defaultCacheDir } from './default-cache-dir';
import { makeTempDir } from './internal/temp-dir';
import { loadMnistRot } from './load-mnist-rot';
import { type CacheEvent, loadMnistVariant } from './load-mnist-variant';

const tmp = makeTempDir();
afterAll(tmp.cleanup);

describe('loadMnistVariant cache', () => {
  it('builds, hits, and rebuilds a corrupt or stale cache (never uses it)', () => {
    const events: CacheEvent[] = [];
    const opts = { cacheDir: tmp.dir, limit: 20, onCache: (e: CacheEvent) => events.push(e) };
    const progress: [number, number][] = [];
    const first = loadMnistRot({ ...opts, onProgress: (d, t) => progress.push([d, t]) });
    expect([first.train.count, first.test.count]).toEqual([20, 20]);
    expect(progress.at(-1)).toEqual([40, 40]);
    const second = loadMnistRot(opts);
    expect(second.train.images).toEqual(first.train.images);
    expect(second.test.labels).toEqual(first.test.labels);
    expect(events.map((e) => e.status)).toEqual(['built', 'hit']);
    const path = events[0]?.path as string;
    expect(path).toMatch(/mnist-rot-v1-seed0-limit20\.bin$/);
    expect(readdirSync(tmp.dir)).toEqual(['mnist-rot-v1-seed0-limit20.bin']); // no temp files left

    const bytes = readFileSync(path);
    bytes[bytes.length - 5] = 255 - (bytes[bytes.length - 5] as number); // flip a pixel
    writeFileSync(path, bytes);
    const third = loadMnistRot(opts);
    expect(events[2]?.status).toBe('rebuilt');
    expect(events[2]?.reason).toMatch(/SHA-256/);
    expect(third.test.images).toEqual(first.test.images);

    // stale: the header records another generator version
    const text = readFileSync(path).toString('latin1').replace('"version":1', '"version":9');
    writeFileSync(path, Buffer.from(text, 'latin1'));
    loadMnistRot(opts);
    expect(events[3]?.status).toBe('rebuilt');
    expect(events[3]?.reason).toMatch(/^stale/);

    writeFileSync(path, readFileSync(path).subarray(0, 100)); // truncated
    loadMnistRot(opts);
    expect(events[4]?.status).toBe('rebuilt');
    expect(loadMnistRot(opts).train.images).toEqual(first.train.images);
    expect(events[5]?.status).toBe('hit');
  });

  it('cache: false generates without touching the disk; a bad limit is rejected', () => {
    const events: CacheEvent[] = [];
    loadMnistVariant(MNIST_ROT_PROTOCOL, {
      cacheDir: `${tmp.dir}/never`,
      cache: false,
      limit: 2,
      onCache: (e) => events.push(e),
    });
    expect(events[0]?.status).toBe('disabled');
    expect(readdirSync(tmp.dir)).not.toContain('never');
    expect(() => loadMnistVariant(MNIST_ROT_PROTOCOL, { limit: 0 })).toThrow(
      /limit must be a positive integer/,
    );
  });

  it('defaultCacheDir honors GCNN_CACHE_DIR, then XDG_CACHE_HOME', () => {
    const saved = { g: process.env.GCNN_CACHE_DIR, x: process.env.XDG_CACHE_HOME };
    try {
      process.env.GCNN_CACHE_DIR = '/a';
      expect(defaultCacheDir()).toBe('/a');
      delete process.env.GCNN_CACHE_DIR;
      process.env.XDG_CACHE_HOME = '/b';
      expect(defaultCacheDir()).toBe('/b/gcnn');
      delete process.env.XDG_CACHE_HOME;
      expect(defaultCacheDir()).toMatch(/\.cache[/\\]gcnn$/);
    } finally {
      if (saved.g === undefined) delete process.env.GCNN_CACHE_DIR;
      else process.env.GCNN_CACHE_DIR = saved.g;
      if (saved.x === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved.x;
    }
  });
});
