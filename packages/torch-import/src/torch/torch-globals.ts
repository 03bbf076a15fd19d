/**
 * @file The allow-list of globals a checkpoint of the reference may name, and what each becomes.
 * Everything else (`os.system`, `builtins.eval`, `subprocess.Popen`, any class or function outside
 * the list) is refused at the `GLOBAL` opcode, before it could be called, with an error naming it.
 *
 * | global | becomes |
 * |---|---|
 * | `torch._utils._rebuild_tensor_v2`, `_rebuild_tensor` | a function rebuilding a {@link TorchTensor} from storage, offset, size, stride |
 * | `torch._utils._rebuild_parameter` | a function marking that tensor as a parameter |
 * | `torch.<Float, Double, Half, BFloat16, Long, Int, Short, Char, Byte, Bool>Storage` | a storage type, only usable inside a persistent id |
 * | `collections.OrderedDict`, `__builtin__.set` / `builtins.set`, `torch.Size` | functions building a dict, a set, a tuple |
 * | classes under `torch.nn.modules.` and `ck_g_cnn.` | inert classes: `NEWOBJ` makes a record, `BUILD` fills its `__dict__` |
 */

import {
  describePyValue,
  isPyTuple,
  PyClass,
  PyDict,
  PyFunction,
  PyOpaque,
  type PyValue,
  pyTuple,
} from '../pickle/py-value';
import type { PickleHooks } from '../pickle/unpickle';
import {
  copyStridedView,
  TORCH_ITEM_SIZE,
  TORCH_STORAGE_DTYPES,
  type TorchDtype,
  TorchStorage,
  TorchTensor,
} from './torch-tensor';

/** Module prefixes whose classes may be instantiated as inert records. */
export const ALLOWED_CLASS_PREFIXES = ['torch.nn.modules.', 'ck_g_cnn.'] as const;

/** A `torch.<X>Storage` class, as named inside a persistent id. */
class TorchStorageType extends PyOpaque {
  constructor(
    readonly name: string,
    readonly dtype: TorchDtype,
  ) {
    super();
  }
  describe(): string {
    return `storage type torch.${this.name}`;
  }
}

/** What the hooks need from the archive. */
export interface TorchStorageSource {
  /** The storage `key` of `numel` elements of `dtype` (its bytes checked against its size). */
  storage(
    key: string,
    dtype: TorchDtype,
    numel: number,
    fail: (what: string) => never,
  ): TorchStorage;
  /** Bytes of tensor values that may still be materialised (`maxBytes`); the hooks draw it down. */
  budget: number;
}

type Fail = (what: string) => never;

const isCount = (v: PyValue | undefined): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function intTuple(v: PyValue | undefined, what: string, fail: Fail): number[] {
  if (!isPyTuple(v) || v.length > 64 || !v.every(isCount))
    fail(`${what} must be a tuple of at most 64 non-negative integers, got ${describePyValue(v)}`);
  return v as number[];
}

/**
 * `_rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks[, metadata])`:
 * checks the view fits its storage and the values fit the budget before copying them out.
 */
function rebuildTensor(
  source: TorchStorageSource,
  args: readonly PyValue[],
  fail: Fail,
): TorchTensor {
  const [storage, offset, sizeArg, strideArg] = args;
  if (args.length < 4 || args.length > 7)
    fail(`_rebuild_tensor_v2 takes 4 to 7 arguments, got ${args.length}`);
  if (!(storage instanceof TorchStorage))
    fail(`_rebuild_tensor_v2 needs a storage, got ${describePyValue(storage)}`);
  if (!isCount(offset))
    fail(`tensor storage offset must be a non-negative integer, got ${describePyValue(offset)}`);
  const shape = intTuple(sizeArg, 'tensor size', fail);
  const stride = intTuple(strideArg, 'tensor stride', fail);
  if (stride.length !== shape.length)
    fail(`tensor size [${shape}] and stride [${stride}] have different ranks`);
  let numel = 1;
  let last = offset;
  for (let k = 0; k < shape.length; k++) {
    numel *= shape[k] as number;
    last += ((shape[k] as number) - 1) * (stride[k] as number);
  }
  const bytes = numel * Math.max(4, TORCH_ITEM_SIZE[storage.dtype]);
  if (bytes > source.budget)
    fail(
      `tensor [${shape}] needs ${bytes} bytes of values, beyond what is left of the maxBytes limit (${source.budget})`,
    );
  if (numel > 0 ? last >= storage.numel : offset > storage.numel)
    fail(
      `tensor [${shape}] with stride [${stride}] at offset ${offset} reads element ${numel > 0 ? last : offset} of ${storage.describe()}: the storage is shorter than the tensor`,
    );
  source.budget -= bytes;
  return new TorchTensor(storage.dtype, shape, copyStridedView(storage, offset, shape, stride));
}

const FUNCTIONS: Record<string, (source: TorchStorageSource) => PyFunction> = {
  'torch._utils._rebuild_tensor_v2': (s) =>
    new PyFunction('torch._utils._rebuild_tensor_v2', (a: readonly PyValue[], fail: Fail) =>
      rebuildTensor(s, a, fail),
    ),
  'torch._utils._rebuild_tensor': (s) =>
    new PyFunction('torch._utils._rebuild_tensor', (a: readonly PyValue[], fail: Fail) =>
      rebuildTensor(s, a, fail),
    ),
  'torch._utils._rebuild_parameter': () =>
    new PyFunction('torch._utils._rebuild_parameter', ([t]: readonly PyValue[], fail: Fail) => {
      if (!(t instanceof TorchTensor))
        fail(`_rebuild_parameter needs a tensor, got ${describePyValue(t)}`);
      return new TorchTensor(t.dtype, t.shape, t.values, true);
    }),
  'collections.OrderedDict': () =>
    new PyFunction('collections.OrderedDict', (args: readonly PyValue[], fail: Fail) => {
      const d = new PyDict();
      const [pairs] = args;
      if (args.length > 1 || (pairs !== undefined && !Array.isArray(pairs)))
        fail(`OrderedDict takes a list of pairs, got ${describePyValue(pairs)}`);
      for (const p of pairs ?? []) {
        if (!isPyTuple(p) || p.length !== 2)
          fail(`OrderedDict takes pairs, got ${describePyValue(p)}`);
        d.set(p[0] as PyValue, p[1] as PyValue);
      }
      return d;
    }),
  'torch.Size': () =>
    new PyFunction('torch.Size', ([t]: readonly PyValue[], fail: Fail) =>
      pyTuple([...intTuple(t, 'torch.Size', fail)]),
    ),
};
const makeSet = () =>
  new PyFunction('builtins.set', ([items]: readonly PyValue[], fail: Fail) => {
    if (items !== undefined && !Array.isArray(items))
      fail(`set takes a list, got ${describePyValue(items)}`);
    return new Set(items ?? []);
  });
FUNCTIONS['__builtin__.set'] = makeSet;
FUNCTIONS['builtins.set'] = makeSet;

/**
 * The pickle hooks of a PyTorch checkpoint: the allow-list above, and persistent ids
 * `('storage', torch.<X>Storage, key, location, numel)` resolved through `source`.
 */
export function torchPickleHooks(source: TorchStorageSource): PickleHooks {
  return {
    resolveGlobal(module: string, name: string, fail: Fail) {
      const qualified = `${module}.${name}`;
      const fn = FUNCTIONS[qualified];
      if (fn) return fn(source);
      const dtype =
        module === 'torch'
          ? TORCH_STORAGE_DTYPES[name as keyof typeof TORCH_STORAGE_DTYPES]
          : undefined;
      if (dtype) return new TorchStorageType(name, dtype);
      if (ALLOWED_CLASS_PREFIXES.some((p) => module.startsWith(p)) && /^[A-Za-z_]\w*$/.test(name))
        return new PyClass(qualified);
      return fail(
        `refuses global '${qualified}': a checkpoint of the reference needs only torch's tensor rebuilders and storages, OrderedDict, set, torch.Size and classes under ${ALLOWED_CLASS_PREFIXES.join(' or ')} (nothing in the file is executed)`,
      );
    },
    persistentLoad(pid: PyValue, fail: Fail) {
      const [kind, type, key, location, numel] = isPyTuple(pid) ? pid : [];
      if (!isPyTuple(pid) || pid.length !== 5 || kind !== 'storage')
        fail(
          `has a persistent id ${describePyValue(pid)}; expected ('storage', type, key, location, numel)`,
        );
      if (!(type instanceof TorchStorageType)) fail(`names storage type ${describePyValue(type)}`);
      if (typeof key !== 'string' || !/^[\w.-]{1,64}$/.test(key))
        fail(`names storage key ${describePyValue(key)}`);
      if (typeof location !== 'string') fail(`names storage location ${describePyValue(location)}`);
      if (!isCount(numel)) fail(`gives storage '${key}' ${describePyValue(numel)} elements`);
      return source.storage(key, type.dtype, numel, fail);
    },
  };
}
