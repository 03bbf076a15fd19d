/**
 * Reference fixture types and the helpers that read them, shared by the Node loader (fixtures.ts)
 * and the browser loader (fixtures.browser.ts). Nothing here may import a `node:*` module.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface FixtureTensor {
  name: string;
  shape: number[];
  layout?: string;
  note?: string;
  values: number[];
}

export interface ReferenceFixture {
  name: string;
  kind: 'layer' | 'network';
  config: Record<string, unknown> & {
    group: 'SE2' | 'Sim2' | 'R2xRplus';
    implementation: string;
    kernel_size: number;
    in_channels?: number;
    out_channels?: number;
    padding?: boolean;
    padding_px?: number;
    max_scale?: number | null;
    R?: number;
    S?: number;
    G?: number;
  };
  group_elements: {
    input: Record<string, number[]> | null;
    output: Record<string, number[]>;
    all_layers?: Record<string, number[]>;
  };
  parameters: FixtureTensor[];
  buffers?: FixtureTensor[];
  input: FixtureTensor;
  output: FixtureTensor;
  intermediates: FixtureTensor[];
  module_order?: string[];
  equivariance_rot90?: Record<string, unknown>;
}

/** The named entry of a fixture's `parameters`, `buffers` or `intermediates`. */
export function fixtureEntry(list: FixtureTensor[] | undefined, name: string): FixtureTensor {
  const entry = list?.find((p) => p.name === name);
  if (!entry) {
    throw new Error(
      `fixture entry '${name}' not found; have: ${(list ?? []).map((p) => p.name).join(', ')}`,
    );
  }
  return entry;
}

/** A fixture tensor as a float32 tfjs tensor in its stored (PyTorch) shape. */
export function fixtureTensor(entry: FixtureTensor): tf.Tensor {
  return tf.tensor(Float32Array.from(entry.values), entry.shape, 'float32');
}

/**
 * A fixture's group elements (`input` or `output`) as a gcnn element tensor `[G, paramDim]`:
 * angles `[G, 1]` (SE(2)), scales `[G, 1]` (R²⋊R⁺), or `(θ, s)` rows `[G, 2]` rotation-major
 * (Sim(2), also for the "+2d" `{angles, scales}` form).
 */
export function fixtureElements(
  fixture: ReferenceFixture,
  which: 'input' | 'output' = 'output',
): tf.Tensor2D {
  const e = fixture.group_elements[which] ?? fixture.group_elements.output;
  if (e.elements) return tf.tensor2d(Float32Array.from(e.elements), [e.elements.length / 2, 2]);
  if (e.angles && e.scales) {
    const rows: number[] = [];
    for (const a of e.angles) for (const s of e.scales) rows.push(a, s);
    return tf.tensor2d(Float32Array.from(rows), [rows.length / 2, 2]);
  }
  const list = e.angles ?? e.scales;
  if (!list) throw new Error(`fixtureElements: fixture '${fixture.name}' has no ${which} elements`);
  return tf.tensor2d(Float32Array.from(list), [list.length, 1]);
}
