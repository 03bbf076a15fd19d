/**
 * @file The Python values the pickle interpreter builds. They are inert data: nothing here calls
 * anything a pickle names.
 *
 * | Python | here |
 * |---|---|
 * | `None`, `bool`, `int`, `float`, `str`, `bytes` | `null`, `boolean`, `number` (`bigint` beyond 2⁵³), `number`, `string`, `Uint8Array` |
 * | `list` | `PyValue[]` |
 * | `tuple` | a frozen `PyValue[]` |
 * | `dict`, `collections.OrderedDict` | {@link PyDict} (a `Map` keeping insertion order) |
 * | `set` | `Set<PyValue>` |
 * | an instance of an allowed class (`NEWOBJ` + `BUILD`) | {@link PyObject}: class name and `__dict__` |
 * | an allowed class itself, as a value (e.g. `self.lifting_impl = LiftingConv`) | {@link PyClass} |
 * | what an allowed function returns (a torch tensor, a storage) | what the caller's allow-list builds |
 */

/** A value built by the pickle interpreter. */
export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyValue[]
  | PyDict
  | Set<PyValue>
  | PyObject
  | PyClass
  | PyOpaque;

/** A Python `dict` or `OrderedDict`; `attributes` holds what `BUILD` set on it (e.g. a state dict's `_metadata`). */
export class PyDict extends Map<PyValue, PyValue> {
  attributes: Map<string, PyValue> | undefined;
}

/** An allowed class named by the pickle (`module.Name`), as a value. */
export class PyClass {
  constructor(readonly qualifiedName: string) {}
}

/**
 * An instance of an allowed class, created by `NEWOBJ` (`cls.__new__(cls, *args)`) and filled by
 * `BUILD` (`__dict__.update(state)`), without running any of the class's code.
 */
export class PyObject {
  /** The object's `__dict__` after `BUILD` (empty before). */
  readonly dict = new Map<string, PyValue>();
  constructor(
    /** `module.Name`, e.g. `ck_g_cnn.nn.ck_g_resnet.CKGResNet`. */
    readonly className: string,
    /** The `NEWOBJ` arguments (empty for torch modules). */
    readonly args: readonly PyValue[],
  ) {}

  /** The attribute `name`, or undefined. */
  get(name: string): PyValue | undefined {
    return this.dict.get(name);
  }
}

/** A value of the caller's own kind (a torch tensor, a storage): the interpreter passes it along untouched. */
export abstract class PyOpaque {
  /** How the value is described in error messages. */
  abstract describe(): string;
}

/**
 * An allowed function named by the pickle, which `REDUCE` may call: the caller's own TypeScript
 * (e.g. rebuilding a tensor from its storage), never Python. `call` reports bad arguments through
 * `fail`, which throws with the pickle offset.
 */
export class PyFunction extends PyOpaque {
  constructor(
    readonly qualifiedName: string,
    readonly call: (args: readonly PyValue[], fail: (what: string) => never) => PyValue,
  ) {
    super();
  }

  describe(): string {
    return `function ${this.qualifiedName}`;
  }
}

/** A tuple: a frozen list. */
export function pyTuple(items: PyValue[]): PyValue[] {
  return Object.freeze(items) as PyValue[];
}

/** Whether `v` is a tuple (a frozen list). */
export function isPyTuple(v: PyValue | undefined): v is PyValue[] {
  return Array.isArray(v) && Object.isFrozen(v);
}

/** A one-line description of a value for error messages; never deeper than one level. */
export function describePyValue(v: PyValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'None';
  if (typeof v === 'string')
    return `str ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean')
    return `${typeof v === 'boolean' ? 'bool' : Number.isInteger(v) || typeof v === 'bigint' ? 'int' : 'float'} ${v}`;
  if (v instanceof Uint8Array) return `bytes of length ${v.length}`;
  if (Array.isArray(v)) return `${isPyTuple(v) ? 'tuple' : 'list'} of length ${v.length}`;
  if (v instanceof PyDict) return `dict of ${v.size} entries`;
  if (v instanceof Set) return `set of ${v.size} items`;
  if (v instanceof PyObject) return `${v.className} object`;
  if (v instanceof PyClass) return `class ${v.qualifiedName}`;
  return v.describe();
}
