import { fc, test } from '@fast-check/vitest';
import { loadTorchCheckpointFile } from '@gcnn/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bytesOf,
  float32Bytes,
  op,
  stateDictPickle,
  tensorOps,
  torchZip,
} from '../checkpoint-bytes.test-helpers';
import { TorchCheckpointError } from '../errors';
import type { PyDict } from '../pickle/py-value';
import { readTorchCheckpoint } from './read-torch-checkpoint';
import type { TorchTensor } from './torch-tensor';

const read = (bytes: Uint8Array, limits = {}) =>
  readTorchCheckpoint(bytes, { source: 'test.pt', limits });

/** A one-tensor state dict whose storage `0` holds `storage` float32 values. */
function oneTensor(t: Parameters<typeof tensorOps>[0], storage: number[]): Uint8Array {
  return torchZip(stateDictPickle([['t', tensorOps(t)]]), { '0': float32Bytes(storage) });
}

describe('readTorchCheckpoint', () => {
  let views: PyDict;
  beforeAll(async () => {
    views = read(await loadTorchCheckpointFile('tensor_views.pt')).root as PyDict;
  });
  const tensor = (name: string) => views.get(name) as TorchTensor;

  it('rebuilds views from storage, offset, size and stride as PyTorch 1.13 saved them', () => {
    const x = Array.from({ length: 24 }, (_, i) => i); // arange(24).reshape(2, 3, 4)
    expect(tensor('contiguous')).toMatchObject({ dtype: 'float32', shape: [2, 3, 4] });
    expect([...tensor('contiguous').values]).toEqual(x);
    // transpose(0, 2): [4, 3, 2] with stride (1, 4, 12)
    const transposed: number[] = [];
    for (let k = 0; k < 4; k++)
      for (let j = 0; j < 3; j++) for (let i = 0; i < 2; i++) transposed.push(12 * i + 4 * j + k);
    expect(tensor('transposed').shape).toEqual([4, 3, 2]);
    expect([...tensor('transposed').values]).toEqual(transposed);
    // x[1:, ::2, 1:3]: offset 13, stride (12, 8, 1)
    expect(tensor('sliced').shape).toEqual([1, 2, 2]);
    expect([...tensor('sliced').values]).toEqual([13, 14, 21, 22]);
    // arange(3).reshape(3, 1).expand(3, 4): stride (1, 0)
    expect([...tensor('expanded').values]).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(tensor('scalar').shape).toEqual([]);
    expect([...tensor('scalar').values]).toEqual([Math.fround(1.74)]);
    expect([...tensor('empty').values]).toEqual([]);
    expect(tensor('empty').shape).toEqual([0, 3]);
    expect([...tensor('shared_head').values]).toEqual([0, 1, 2, 3]);
    expect([...tensor('shared_tail').values]).toEqual([6, 7, 8, 9]);
    expect(tensor('parameter').isParameter).toBe(true);
    expect(tensor('contiguous').isParameter).toBe(false);
  });

  it('reads every storage type', () => {
    expect(tensor('float64')).toMatchObject({ dtype: 'float64' });
    expect([...tensor('float64').values]).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25]);
    expect([...tensor('float16').values]).toEqual([0.5, -2, 65504, 2 ** -24]);
    expect([...tensor('bfloat16').values]).toEqual([1.5, -3, 2 ** 100]);
    expect([...tensor('int64').values]).toEqual([-(2n ** 40n), 7n]);
    expect([...tensor('int32').values]).toEqual([-5, 2 ** 31 - 1]);
    expect([...tensor('int16').values]).toEqual([-300, 300]);
    expect([...tensor('int8').values]).toEqual([-128, 127]);
    expect([...tensor('uint8').values]).toEqual([0, 255]);
    expect(tensor('bool')).toMatchObject({ dtype: 'bool' });
    expect([...tensor('bool').values]).toEqual([1, 0, 1]);
  });

  it('reads hand-built checkpoints, stored and deflated, and the fixtures', async () => {
    for (const level of [0, 9] as const) {
      const bytes = torchZip(
        stateDictPickle([['w', tensorOps({ key: '0', numel: 3, shape: [3] })]]),
        { '0': float32Bytes([1, 2, 3]) },
        { level },
      );
      const w = (read(bytes).root as PyDict).get('w') as TorchTensor;
      expect([...w.values]).toEqual([1, 2, 3]);
    }
    const c = read(await loadTorchCheckpointFile('sim2_ckgresnet_separable2d.state_dict.pt'));
    expect(c).toMatchObject({
      archiveName: 'sim2_ckgresnet_separable2d.state_dict',
      formatVersion: 3,
    });
    expect((c.root as PyDict).size).toBe(210);
    expect((c.root as PyDict).attributes?.has('_metadata')).toBe(true);
  });

  it('refuses a GLOBAL os system + REDUCE and unknown globals, naming them', () => {
    const hostile = bytesOf(
      op.proto(),
      op.global('os', 'system'),
      op.str('rm -rf ~'),
      op.tuple1,
      op.reduce,
      op.stop,
    );
    expect(() => read(torchZip(hostile))).toThrow(
      "Error in unpickle: 'test.pt' entry 'archive/data.pkl' at offset 2: refuses global 'os.system'",
    );
    for (const [module, name] of [
      ['builtins', 'eval'],
      ['numpy.core.multiarray', '_reconstruct'],
      ['torch', 'load'],
      ['torch._utils', '_rebuild_from_type_v2'],
      ['subprocess', 'Popen'],
    ]) {
      const bytes = torchZip(bytesOf(op.proto(), op.global(module!, name!), op.stop));
      expect(() => read(bytes), `${module}.${name}`).toThrow(
        new RegExp(`refuses global '${module}\\.${name}'`),
      );
    }
  });

  it('refuses storages shorter than their tensors and views outside their storage', () => {
    expect(() => read(oneTensor({ key: '0', numel: 4, shape: [5] }, [1, 2, 3, 4]))).toThrow(
      /tensor \[5\] with stride \[1\] at offset 0 reads element 4 of storage '0' \(float32, 4 elements\): the storage is shorter than the tensor/,
    );
    expect(() =>
      read(oneTensor({ key: '0', numel: 4, shape: [2, 2], stride: [3, 1] }, [1, 2, 3, 4])),
    ).toThrow(/reads element 4 of storage '0'/);
    expect(() =>
      read(oneTensor({ key: '0', numel: 4, offset: 3, shape: [2] }, [1, 2, 3, 4])),
    ).toThrow(/at offset 3 reads element 4/);
    expect(() => read(oneTensor({ key: '0', numel: 4, shape: [4] }, [1, 2]))).toThrow(
      /names storage '0' of 4 float32 elements \(16 bytes\), but 'archive\/data\/0' holds 8 bytes/,
    );
    expect(() => read(oneTensor({ key: '1', numel: 1, shape: [1] }, [1]))).toThrow(
      /names storage '1', but the archive has no entry 'archive\/data\/1'/,
    );
    // A stride-0 view larger than the budget (torch's expand) is refused before it is allocated.
    expect(() => read(oneTensor({ key: '0', numel: 1, shape: [1e9], stride: [0] }, [1]))).toThrow(
      /tensor \[1000000000\] needs 4000000000 bytes of values, beyond what is left of the maxBytes limit/,
    );
  });

  it('refuses other formats with what to do instead, and oversized pickles', () => {
    const legacy = Uint8Array.from([
      0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e,
    ]);
    expect(() => read(legacy)).toThrow(
      /legacy format of PyTorch before 1\.6.*torch\.save\(torch\.load\(path\), path\)/,
    );
    expect(() => read(new TextEncoder().encode('{"format": "gcnn-model"}'))).toThrow(
      /at offset 0: does not start with a zip signature \(PK\)/,
    );
    const script = torchZip(
      bytesOf(op.proto(), op.none, op.stop),
      {},
      { archive: 'm', extra: { 'm/constants.pkl': new Uint8Array(1) } },
    );
    expect(() => read(torchZip(bytesOf(op.none), {}, { archive: 'x/y' }))).toThrow(
      /without <archive>\/data\.pkl/,
    );
    expect(read(script).root).toBeNull();
    const jit = torchZip(
      bytesOf(op.none),
      {},
      { archive: 'x/y', extra: { 'm/code/m.py': new Uint8Array(1) } },
    );
    expect(() => read(jit)).toThrow(/is a TorchScript archive \(torch\.jit\.save\)/);
    const big = torchZip(bytesOf(op.proto(), op.str('x'.repeat(2000)), op.stop));
    expect(() => read(big, { maxPickleBytes: 1000 })).toThrow(
      /entry 'archive\/data\.pkl': is \d+ bytes, beyond the maxPickleBytes limit \(1000\)/,
    );
    const bigEndian = torchZip(
      bytesOf(op.proto(), op.none, op.stop),
      {},
      { extra: { 'archive/byteorder': new TextEncoder().encode('big') } },
    );
    expect(() => read(bigEndian)).toThrow(/holds byte order 'big'; only little-endian/);
  });

  test.prop([fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean()], { numRuns: 200 })(
    'a real checkpoint cut or garbled anywhere reads or fails with a TorchCheckpointError',
    async (at, flip, cut) => {
      const bytes = await loadTorchCheckpointFile('se2_ckgresnet_nonseparable.state_dict.pt');
      const damaged = cut ? bytes.subarray(0, at % bytes.length) : bytes.slice();
      if (!cut) damaged[at % bytes.length] = (damaged[at % bytes.length] as number) ^ flip;
      try {
        read(damaged);
      } catch (error) {
        expect(error).toBeInstanceOf(TorchCheckpointError);
      }
    },
  );
});
