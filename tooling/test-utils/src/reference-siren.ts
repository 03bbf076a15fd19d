import * as tf from '@tensorflow/tfjs-core';
import { fixtureEntry, type ReferenceFixture } from './fixture-data';

// Structural copies of @gcnn/kernel-nets' SirenWeights/SirenConfig: test-utils must not depend on
// the packages whose tests use it (that would be a dependency cycle for turbo).
interface Linear {
  weight: tf.Tensor2D;
  bias: tf.Tensor1D;
}
interface SirenWeights {
  sine: Linear[];
  final: Linear;
}
interface SirenConfig {
  inputDim: number;
  hiddenSize: number;
  numHidden: number;
  outputDim: number;
  firstOmega0: number;
  omega0: number;
}

/**
 * The reference CKNet stored under `prefix` in a fixture's parameters (e.g. `kernel.cknet`), as
 * gcnn SIREN weights (PyTorch's `[out, in]` Linear weights transposed to `[in, out]`) and config.
 */
export function referenceSiren(
  fixture: ReferenceFixture,
  prefix: string,
): { weights: SirenWeights; config: SirenConfig } {
  const params = fixture.parameters.filter((p) => p.name.startsWith(`${prefix}.`));
  const sineCount = params.filter((p) => /\.net\.net\.\d+\.linear\.weight$/.test(p.name)).length;
  if (sineCount === 0) throw new Error(`referenceSiren: no CKNet parameters under '${prefix}'`);
  const linear = (name: string) => {
    const w = fixtureEntry(fixture.parameters, `${prefix}.${name}.weight`);
    const b = fixtureEntry(fixture.parameters, `${prefix}.${name}.bias`);
    return {
      weight: tf.tidy(() =>
        tf.transpose(tf.tensor2d(Float32Array.from(w.values), w.shape as [number, number])),
      ) as tf.Tensor2D,
      bias: tf.tensor1d(Float32Array.from(b.values)),
    };
  };
  const sine = Array.from({ length: sineCount }, (_, l) => linear(`net.net.${l}.linear`));
  const final = linear('final_linear');
  const cfg = fixture.config as Record<string, unknown>;
  const config: SirenConfig = {
    inputDim: sine[0]!.weight.shape[0],
    hiddenSize: sine[0]!.weight.shape[1],
    numHidden: sineCount - 1,
    outputDim: final.weight.shape[1],
    firstOmega0: Number(cfg.first_omega_0),
    omega0: Number(cfg.omega_0),
  };
  return { weights: { sine, final }, config };
}
