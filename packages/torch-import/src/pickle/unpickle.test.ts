import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { bytesOf, op } from '../checkpoint-bytes.test-helpers';
import { TorchCheckpointError } from '../errors';
import { isPyTuple, PyClass, PyDict, PyFunction, PyObject, type PyValue } from './py-value';
import { type PickleHooks, unpickle } from './unpickle';

const where = { source: 'test.pkl' };
const limits = { maxMemo: 100, maxDepth: 16 };

/** Allows one class, `m.C`, and one function, `m.f(*args) = args.length`; nothing else. */
const hooks: PickleHooks = {
  resolveGlobal(module, name, fail) {
    if (module === 'm' && name === 'C') return new PyClass('m.C');
    if (module === 'm' && name === 'f') return new PyFunction('m.f', (args) => args.length);
    return fail(`refuses global '${module}.${name}'`);
  },
  persistentLoad: (pid) => ['loaded', pid],
};

const load = (...parts: Parameters<typeof bytesOf>) =>
  unpickle(bytesOf(...parts), where, hooks, limits);

describe('unpickle', () => {
  it('builds the containers and scalars of protocol 2', () => {
    const v = load(
      op.proto(),
      op.emptyDict,
      op.mark,
      op.str('list'),
      op.emptyList,
      op.mark,
      op.int(-7),
      [0x4b, 200], // BININT1
      [0x4d, 0x34, 0x12], // BININT2
      [0x8a, 0x01, 0xff], // LONG1 −1
      [0x8a, 0x09, 0, 0, 0, 0, 0, 0, 0, 0, 1], // LONG1 2⁶⁴
      op.float(1.5),
      op.appends,
      op.str('tuple'),
      op.none,
      op.true,
      op.false,
      op.tuple3,
      op.str('shared'),
      op.emptyList,
      op.binput(3),
      op.str('again'),
      op.binget(3),
      op.setitems,
      op.stop,
    ) as PyDict;
    expect(v).toBeInstanceOf(PyDict);
    expect(v.get('list')).toEqual([-7, 200, 0x1234, -1, 2n ** 64n, 1.5]);
    const t = v.get('tuple') as PyValue[];
    expect(isPyTuple(t)).toBe(true);
    expect(t).toEqual([null, true, false]);
    expect(v.get('again')).toBe(v.get('shared'));
  });

  it('creates allowed classes as inert records (NEWOBJ + BUILD) and calls allowed functions', () => {
    const obj = load(
      op.proto(),
      op.global('m', 'C'),
      op.emptyTuple,
      op.newobj,
      op.emptyDict,
      op.str('answer'),
      op.int(42),
      op.setitem,
      op.build,
      op.stop,
    );
    expect(obj).toBeInstanceOf(PyObject);
    expect((obj as PyObject).className).toBe('m.C');
    expect((obj as PyObject).get('answer')).toBe(42);
    expect(
      load(op.proto(), op.global('m', 'f'), op.int(1), op.int(2), op.tuple2, op.reduce, op.stop),
    ).toBe(2);
  });

  it('refuses GLOBAL os system + REDUCE at the GLOBAL, naming it, and never calls anything', () => {
    const hostile = [
      op.proto(),
      op.global('os', 'system'),
      op.str('echo pwned'),
      op.tuple1,
      op.reduce,
      op.stop,
    ];
    expect(() => load(...hostile)).toThrow(TorchCheckpointError);
    expect(() => load(...hostile)).toThrow(
      "Error in unpickle: 'test.pkl' at offset 2: refuses global 'os.system'",
    );
    // STACK_GLOBAL spells the same names with strings from the stack.
    expect(() => load(op.proto(4), op.str('builtins'), op.str('eval'), [0x93], op.stop)).toThrow(
      /refuses global 'builtins\.eval'/,
    );
  });

  it('refuses REDUCE on a class or a non-function, NEWOBJ on a function, and the refused opcodes', () => {
    expect(() => load(op.proto(), op.global('m', 'C'), op.emptyTuple, op.reduce, op.stop)).toThrow(
      /calls class m\.C with REDUCE; its instances may only be created by NEWOBJ/,
    );
    expect(() => load(op.proto(), op.emptyDict, op.emptyTuple, op.reduce, op.stop)).toThrow(
      /calls dict of 0 entries with REDUCE, which is not an allowed function/,
    );
    expect(() => load(op.proto(), op.global('m', 'f'), op.emptyTuple, op.newobj, op.stop)).toThrow(
      /creates an instance of function m\.f with NEWOBJ/,
    );
    expect(() => load(op.proto(), [0x69], op.stop)).toThrow(/uses opcode INST, which is not read/);
    expect(() => load(op.proto(), [0x82, 1], op.stop)).toThrow(/uses opcode EXT1/);
    expect(() => load(op.proto(), [0xff])).toThrow(
      /unknown opcode 0xff at|has unknown opcode 0xff/,
    );
    expect(() => load(op.proto(1), op.none, op.stop)).toThrow(/is pickle protocol 1/);
  });

  it('refuses truncation, stack misuse and trailing bytes with the offset', () => {
    expect(() => load(op.proto(), op.none)).toThrow(
      /at offset 3: ends without a STOP opcode: truncated/,
    );
    expect(() => load(op.proto(), [0x58, 10, 0, 0, 0, 0x61], op.stop)).toThrow(
      /at offset 2: needs 10 more bytes, only 2 are left: truncated/,
    );
    expect(() => load(op.proto(), op.append, op.stop)).toThrow(/pops an empty stack/);
    expect(() => load(op.proto(), op.none, op.none, op.stop)).toThrow(/stops with 2 values/);
    expect(() => load(op.proto(), op.none, op.stop, op.none)).toThrow(/has 1 bytes after its STOP/);
    expect(() => load(op.proto(), op.binget(9), op.stop)).toThrow(
      /memo entry 9, which was never stored/,
    );
    expect(load(op.proto(), op.emptyList, op.int(1), op.append, op.stop)).toEqual([1]);
    expect(() => load(op.proto(), op.emptyTuple, op.int(1), op.append, op.stop)).toThrow(
      /APPEND needs a list, got tuple/,
    );
  });

  it('bounds MARK nesting and the memo', () => {
    const deep = Array.from({ length: 100_000 }, () => op.mark);
    expect(() => load(op.proto(), deep.flat())).toThrow(
      /nests MARKs deeper than 16 \(the maxDepth limit\)/,
    );
    const memo = Array.from({ length: 101 }, (_, i) => [0x72, ...[i, 0, 0, 0]]); // LONG_BINPUT i
    expect(() => load(op.proto(), op.none, ...memo, op.stop)).toThrow(
      /memoizes more than 100 objects \(the maxMemo limit\)/,
    );
  });

  it('builds 100,000-deep nested lists iteratively (no recursion to overflow)', () => {
    const nest = Array.from({ length: 100_000 }, () => op.emptyList);
    const close = Array.from({ length: 99_999 }, () => op.append);
    let v = load(op.proto(), nest.flat(), close.flat(), op.stop);
    let depth = 0;
    while (Array.isArray(v) && v.length > 0) {
      v = v[0] as PyValue;
      depth++;
    }
    expect(depth).toBe(99_999);
  });

  test.prop([fc.uint8Array({ maxLength: 200 })], { numRuns: 500 })(
    'any bytes either unpickle or fail with a TorchCheckpointError',
    (bytes) => {
      try {
        unpickle(Uint8Array.from([0x80, 2, ...bytes]), where, hooks, limits);
      } catch (error) {
        expect(error).toBeInstanceOf(TorchCheckpointError);
      }
    },
  );
});
