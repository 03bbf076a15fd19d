import * as tf from '@tensorflow/tfjs-core';
import { guardWasmHeap } from './heap-guard';
import { wasmBackend } from './wasm-backend';

type Info = tf.TensorInfo;

/**
 * Runs registered wasm kernels on `TensorInfo`s inside a kernelFunc and owns every intermediate
 * they return, so a composite kernel can hand back its result and dispose the rest
 * (`backend.numDataIds()` is the same before and after, apart from the result).
 */
export class KernelScope {
  private readonly owned: Info[] = [];

  constructor(
    readonly backend: tf.KernelBackend,
    readonly kernelName: string,
  ) {}

  /** Runs kernel `name` on the wasm backend; the output is owned by this scope. */
  run(name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): Info {
    const out = this.runMulti(name, inputs, attrs);
    return out[0]!;
  }

  /** A new tensor of the wasm backend, its data uninitialised; owned by this scope. */
  allocate(shape: number[], dtype: tf.DataType): Info {
    guardWasmHeap(this.backend);
    const out = wasmBackend(this.backend).makeOutput(shape, dtype);
    this.owned.push(out);
    return out;
  }

  /** Like `run` for kernels with several outputs. */
  runMulti(name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): Info[] {
    const kernel = tf.getKernel(name, 'wasm');
    if (!kernel) {
      throw new Error(
        `Error in ${this.kernelName} (wasm): it needs kernel '${name}', which is not registered for backend 'wasm'`,
      );
    }
    const result = kernel.kernelFunc({ inputs, attrs, backend: this.backend });
    const outs = Array.isArray(result) ? result : [result];
    this.owned.push(...outs);
    return outs;
  }

  /** Disposes an intermediate now (its memory is freed once nothing else references it). */
  free(...infos: Info[]): void {
    for (const info of infos) {
      const i = this.owned.indexOf(info);
      if (i < 0) continue;
      this.owned.splice(i, 1);
      this.backend.disposeData(info.dataId);
    }
  }

  /** Disposes every owned intermediate except `result`, which is returned to the caller. */
  finish(result: Info): Info {
    const i = this.owned.indexOf(result);
    if (i >= 0) this.owned.splice(i, 1);
    this.dispose();
    return result;
  }

  /** Hands `results` to the caller (no longer owned) and disposes every other intermediate. */
  finishMany(results: Info[]): Info[] {
    for (const r of results) {
      const i = this.owned.indexOf(r);
      if (i >= 0) this.owned.splice(i, 1);
    }
    this.dispose();
    return results;
  }

  /** Disposes every owned intermediate (used on errors). */
  dispose(): void {
    for (const info of this.owned.splice(0)) this.backend.disposeData(info.dataId);
  }

  reshape(x: Info, shape: number[]): Info {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: Info, perm: number[]): Info {
    return this.run('Transpose', { x }, { perm });
  }

  /** Pads `x`; returns `x` itself (not owned) when every padding is zero. */
  pad(x: Info, paddings: Array<[number, number]>, constantValue = 0): Info {
    if (paddings.every(([a, b]) => a === 0 && b === 0)) return x;
    return this.run('PadV2', { x }, { paddings, constantValue });
  }

  slice(x: Info, begin: number[], size: number[]): Info {
    return this.run('Slice', { x }, { begin, size });
  }

  stridedSlice(x: Info, begin: number[], end: number[], strides: number[]): Info {
    return this.run(
      'StridedSlice',
      { x },
      {
        begin,
        end,
        strides,
        beginMask: 0,
        endMask: 0,
        ellipsisMask: 0,
        newAxisMask: 0,
        shrinkAxisMask: 0,
      },
    );
  }

  /** The wasm Concat kernel takes its inputs as an array, not a named map. */
  concat(xs: Info[], axis: number): Info {
    return this.run('Concat', xs as unknown as tf.NamedTensorInfoMap, { axis });
  }

  identity(x: Info): Info {
    return this.run('Identity', { x });
  }

  matMul(a: Info, b: Info, transposeA: boolean, transposeB: boolean): Info {
    return this.run('BatchMatMul', { a, b }, { transposeA, transposeB });
  }

  binary(name: 'Add' | 'Multiply' | 'Equal' | 'LogicalAnd' | 'Sub', a: Info, b: Info): Info {
    return this.run(name, { a, b });
  }

  sum(x: Info, axis: number[]): Info {
    return this.run('Sum', { x }, { axis, keepDims: false });
  }

  cast(x: Info, dtype: tf.DataType): Info {
    return this.run('Cast', { x }, { dtype });
  }

  fill(shape: number[], value: number, dtype: tf.DataType): Info {
    return this.run('Fill', {}, { shape, value, dtype });
  }
}

/**
 * Runs `body` in a new {@link KernelScope} of `backend` and hands back the tensors it returns;
 * every other intermediate is disposed, also when `body` throws.
 */
export function inKernelScope(
  backend: tf.KernelBackend,
  kernelName: string,
  body: (s: KernelScope) => Info[],
): Info[] {
  const s = new KernelScope(backend, kernelName);
  try {
    return s.finishMany(body(s));
  } catch (e) {
    s.dispose();
    throw e;
  }
}
