import { createRng } from '@gcnn/lie-groups';
import { ClassifierHead } from './classifier-head';
import { GroupClassifier } from './group-classifier';
import { GroupConvBlock } from './group-conv-block';
import { layerFactory, widen } from './internal/layer-factory';
import type { Stage } from './internal/stage';
import type { ModelConfig } from './model-config';

/**
 * Kernel size of the CK-G-ResNet's last group conv: `imageSize // 2^L − k` clamped to [3, 11],
 * L = number of blocks (reference §5.1; applied with or without pooling, as the reference).
 */
export function lastKernelSize(imageSize: number, numBlocks: number, kernelSize: number): number {
  const k = Math.floor(imageSize / 2 ** numBlocks) - kernelSize;
  return Math.min(11, Math.max(3, k));
}

/**
 * The CK-G-ResNet (reference `CKGResNet`, §5.1), with widths h = hiddenSizes·widenFactor:
 *
 * 1. `lifting`: images → h0 channels, kernel k, padding k//2 if `padding`; then norm, dropout
 *    (if > 0), ReLU;
 * 2. per further width hᵢ: a {@link GroupConvBlock} h_{i−1} → hᵢ with `stride`, norm, 2×2 max
 *    pool (if `pooling`), dropout (if > 0), ReLU;
 * 3. a group conv hL → hL with kernel {@link lastKernelSize} and no padding, norm, ReLU, dropout;
 * 4. max over (h, w, G), then the {@link ClassifierHead}.
 *
 * Stages sit at the reference's `layers.<i>` indices, so weight names line up with its state dict.
 */
export function ckgResNet(config: ModelConfig): GroupClassifier {
  const rng = createRng(config.seed);
  const f = layerFactory(config, rng);
  const h = widen(config.hiddenSizes, config.widenFactor);
  const k = config.kernelSize;
  const p = config.dropout;
  const lifting = f.lifting(h[0]!, config.padding ? Math.floor(k / 2) : 0);
  const stages: Stage[] = [];
  let i = 0;
  stages.push(f.norm(i++, h[0]!));
  if (p > 0) stages.push({ kind: 'dropout', index: i++, rate: p });
  stages.push({ kind: 'relu', index: i++ });
  for (let b = 1; b < h.length; b++) {
    const block = new GroupConvBlock(f, {
      inChannels: h[b - 1]!,
      outChannels: h[b]!,
      kernelSize: k,
      stride: config.stride,
    });
    stages.push({ kind: 'block', index: i++, block });
    stages.push(f.norm(i++, h[b]!));
    if (config.pooling) stages.push({ kind: 'pool', index: i++ });
    if (p > 0) stages.push({ kind: 'dropout', index: i++, rate: p });
    stages.push({ kind: 'relu', index: i++ });
  }
  const last = h[h.length - 1]!;
  const layer = f.groupConv({
    inChannels: last,
    outChannels: last,
    kernelSize: lastKernelSize(config.imageSize, h.length - 1, k),
    stride: 1,
    padding: 0,
  });
  stages.push({ kind: 'conv', index: i++, layer });
  stages.push(f.norm(i++, last));
  stages.push({ kind: 'relu', index: i++ });
  if (p > 0) stages.push({ kind: 'dropout', index: i++, rate: p });
  const head = new ClassifierHead(last, config.numClasses, rng);
  return new GroupClassifier(config, { lifting, stages, head });
}
