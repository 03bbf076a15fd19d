import { type CheckpointLocation, TorchCheckpointError } from '../errors';
import type { TorchReadLimits } from '../limits';
import { describePyValue, PyDict, PyObject, type PyValue } from '../pickle/py-value';
import { TorchTensor } from '../torch/torch-tensor';

const OP = 'loadTorchCheckpoint';

/**
 * A pickled `torch.nn.Module` (a {@link PyObject} of an allowed class) read attribute by
 * attribute: each getter checks the attribute's type and throws a {@link TorchCheckpointError}
 * naming the module's path, class and attribute otherwise.
 */
export class TorchModule {
  constructor(
    readonly object: PyObject,
    /** Dotted path from the root module (`''` for the root), as in a state dict. */
    readonly path: string,
    readonly where: CheckpointLocation,
  ) {}

  /** The last part of the class name, e.g. `CKGResNet`. */
  get className(): string {
    return this.object.className.slice(this.object.className.lastIndexOf('.') + 1);
  }

  fail(what: string): never {
    const name = this.path === '' ? 'the saved model' : `module '${this.path}'`;
    throw new TorchCheckpointError(OP, this.where, `${name} (${this.object.className}) ${what}`);
  }

  /** The attribute `name` (from `__dict__`); missing is an error. */
  value(name: string): PyValue {
    const v = this.object.get(name);
    if (v === undefined) this.fail(`has no attribute '${name}'`);
    return v;
  }

  private typed<T>(name: string, ok: (v: PyValue) => boolean, expected: string): T {
    const v = this.value(name);
    if (!ok(v)) this.fail(`has ${name} = ${describePyValue(v)}, expected ${expected}`);
    return v as T;
  }

  int = (name: string) =>
    this.typed<number>(name, (v) => typeof v === 'number' && Number.isSafeInteger(v), 'an integer');
  number = (name: string) =>
    this.typed<number>(name, (v) => typeof v === 'number' && Number.isFinite(v), 'a number');
  string = (name: string) => this.typed<string>(name, (v) => typeof v === 'string', 'a string');
  bool = (name: string) =>
    this.typed<boolean>(name, (v) => typeof v === 'boolean', 'True or False');
  ints = (name: string) =>
    this.typed<number[]>(
      name,
      (v) => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isSafeInteger(x)),
      'a list of integers',
    );
  tensor = (name: string) =>
    this.typed<TorchTensor>(name, (v) => v instanceof TorchTensor, 'a tensor');

  /** One of `_parameters`, `_buffers`, `_modules`: a dict of names to values. */
  private table(name: '_parameters' | '_buffers' | '_modules'): PyDict {
    const t = this.value(name);
    if (!(t instanceof PyDict))
      this.fail(`has ${name} = ${describePyValue(t)}: not a torch.nn.Module`);
    return t;
  }

  /** The submodules (`_modules`), without the `None` entries. */
  children(): Array<[string, TorchModule]> {
    const out: Array<[string, TorchModule]> = [];
    for (const [k, v] of this.table('_modules')) {
      if (v === null) continue;
      if (typeof k !== 'string' || !(v instanceof PyObject))
        this.fail(`has submodule ${describePyValue(k)} = ${describePyValue(v)}, expected a module`);
      out.push([k, new TorchModule(v, this.path === '' ? k : `${this.path}.${k}`, this.where)]);
    }
    return out;
  }

  /** The submodule `name`; missing is an error. */
  child(name: string): TorchModule {
    const c = this.children().find(([k]) => k === name);
    if (!c) this.fail(`has no submodule '${name}'`);
    return c[1];
  }

  /** Parameters and persistent buffers of this module alone (`state_dict` without recursion). */
  ownTensors(): Array<[string, TorchTensor]> {
    const nonPersistent = this.object.get('_non_persistent_buffers_set');
    const skip = nonPersistent instanceof Set ? nonPersistent : new Set<PyValue>();
    const out: Array<[string, TorchTensor]> = [];
    for (const table of ['_parameters', '_buffers'] as const) {
      for (const [k, v] of this.table(table)) {
        if (v === null || (table === '_buffers' && skip.has(k))) continue;
        if (typeof k !== 'string' || !(v instanceof TorchTensor))
          this.fail(
            `has ${table} entry ${describePyValue(k)} = ${describePyValue(v)}, expected a tensor`,
          );
        out.push([k, v]);
      }
    }
    return out;
  }
}

/**
 * The state dict of a pickled module, as `module.state_dict()` returns it: every parameter and
 * persistent buffer of the module and its submodules, depth first, under dotted names. A module
 * shared by several parents appears under each name (as in PyTorch). Cycles, nesting deeper than
 * `limits.maxDepth` and more than `limits.maxModules` module visits are errors.
 */
export function moduleStateDict(
  root: TorchModule,
  limits: Pick<TorchReadLimits, 'maxDepth' | 'maxModules'>,
): Map<string, TorchTensor> {
  const out = new Map<string, TorchTensor>();
  const ancestors = new Set<PyObject>();
  let visits = 0;
  const visit = (m: TorchModule, depth: number) => {
    if (ancestors.has(m.object)) m.fail('contains itself (a cycle of modules)');
    if (depth > limits.maxDepth)
      m.fail(`is nested deeper than ${limits.maxDepth} modules (the maxDepth limit)`);
    if (++visits > limits.maxModules)
      m.fail(
        `is one module too many: the model has more than ${limits.maxModules} (the maxModules limit)`,
      );
    for (const [k, t] of m.ownTensors()) out.set(m.path === '' ? k : `${m.path}.${k}`, t);
    ancestors.add(m.object);
    for (const [, c] of m.children()) visit(c, depth + 1);
    ancestors.delete(m.object);
  };
  visit(root, 0);
  return out;
}

/** Whether `v` is a tuple or list of numbers (e.g. `padding = (2, 2)`). */
export function isIntSequence(v: PyValue): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number');
}
