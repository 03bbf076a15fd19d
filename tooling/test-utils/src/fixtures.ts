import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';

/** Folder of the reference fixtures copied into this repository (see fixtures/reference/README.md). */
export const FIXTURE_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../fixtures/reference',
);

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

const cache = new Map<string, ReferenceFixture>();

/** Loads `fixtures/reference/<name>.json` (without extension). */
export function loadFixture(name: string): ReferenceFixture {
  let fixture = cache.get(name);
  if (!fixture) {
    fixture = JSON.parse(
      readFileSync(join(FIXTURE_DIR, `${name}.json`), 'utf8'),
    ) as ReferenceFixture;
    cache.set(name, fixture);
  }
  return fixture;
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
