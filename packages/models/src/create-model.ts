import { ckgAllCnnC } from './ckg-allcnnc';
import { ckgCnn } from './ckg-cnn';
import { ckgResNet } from './ckg-resnet';
import type { Classifier } from './classifier';
import type { GroupClassifier } from './group-classifier';
import type { ModelConfig } from './model-config';
import { validateModelConfig } from './validate-model-config';

/**
 * Builds the classifier a config describes (validated first, see `validateModelConfig`), with
 * weights initialised from `config.seed`: images `[batch, imageSize, imageSize, inChannels]` →
 * logits `[batch, numClasses]`. `ckgresnet`, `ckgcnn` and `ckgallcnnc` follow the reference's
 * architectures exactly (reference §5); the returned {@link GroupClassifier} also offers
 * `applyTraced` for per-stage outputs.
 */
export function createModel(config: ModelConfig): Classifier & GroupClassifier {
  validateModelConfig(config);
  switch (config.model) {
    case 'ckgresnet':
      return ckgResNet(config);
    case 'ckgcnn':
      return ckgCnn(config);
    case 'ckgallcnnc':
      return ckgAllCnnC(config);
  }
}
