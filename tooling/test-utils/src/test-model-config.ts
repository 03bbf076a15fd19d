/**
 * Small model configs for tests: one per architecture, at test size (SE(2), 4 rotations, separable,
 * kernel nets 1×8), so a test file states only what it changes:
 * `const config: ModelConfig = { ...testModelConfig('ckgresnet'), dropout: 0 }`.
 *
 * The result is a `@gcnn/models` `ModelConfig`; it is typed structurally here because test-utils,
 * a dev dependency of every package, cannot depend on `@gcnn/models` without a package cycle. A
 * fresh object each call, so tests may change it.
 */
export function testModelConfig(model: 'ckgresnet' | 'ckgcnn' | 'ckgallcnnc') {
  const common = {
    group: 'SE2' as const,
    sampleCount: 4,
    implementation: 'separable' as const,
    inChannels: 1,
    numClasses: 3,
    stride: 1,
    padding: true,
    pooling: true,
    kernelNet: { hiddenSize: 8, numHidden: 1, firstOmega0: 10, omega0: 10 },
  };
  switch (model) {
    case 'ckgresnet':
      // Three blocks (an identity and a projected shortcut), batch norm, dropout.
      return {
        ...common,
        model,
        sampling: 'uniform' as const,
        imageSize: 12,
        hiddenSizes: [4, 4, 8],
        kernelSize: 5,
        normalization: 'batchnorm' as const,
        dropout: 0.2,
        seed: 3,
      };
    case 'ckgcnn':
      return {
        ...common,
        model,
        sampling: 'discretize' as const,
        imageSize: 12,
        hiddenSizes: [4, 4],
        kernelSize: 3,
        normalization: 'batchnorm' as const,
        dropout: 0,
        seed: 3,
      };
    case 'ckgallcnnc':
      // Its fixed widths scaled by 1/24, layer norm; three fixed dropouts and no head.
      return {
        ...common,
        model,
        sampling: 'uniform' as const,
        imageSize: 8,
        hiddenSizes: [4],
        widenFactor: 1 / 24,
        kernelSize: 3,
        normalization: 'layernorm' as const,
        dropout: 0,
        seed: 4,
      };
  }
}
