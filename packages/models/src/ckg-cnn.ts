import { createRng } from '@gcnn/lie-groups';
import { ClassifierHead } from './classifier-head';
import { GroupClassifier } from './group-classifier';
import { layerFactory } from './internal/layer-factory';
import type { Stage } from './internal/stage';
import type { ModelConfig } from './model-config';

/**
 * The plain CK-G-CNN (reference `CKGCNN`, §5.5), widths h = hiddenSizes (no widen factor, no
 * dropout, as the reference):
 *
 * 1. `lifting`: images → h0, kernel k, always padded by k//2; norm, 2×2 max pool (always), ReLU;
 * 2. per further width hᵢ: group conv h_{i−1} → hᵢ (kernel k, padding k//2, `stride`), norm,
 *    max pool (if `pooling`), ReLU;
 * 3. a group conv hL → hL with kernel `imageSize // 2^len(hiddenSizes)` and no padding, norm, ReLU;
 * 4. max over (h, w, G), then the {@link ClassifierHead}.
 */
export function ckgCnn(config: ModelConfig): GroupClassifier {
  const rng = createRng(config.seed);
  const f = layerFactory(config, rng);
  const h = config.hiddenSizes;
  const k = config.kernelSize;
  const pad = Math.floor(k / 2);
  const lifting = f.lifting(h[0]!, pad);
  const stages: Stage[] = [];
  let i = 0;
  stages.push(f.norm(i++, h[0]!));
  stages.push({ kind: 'pool', index: i++ });
  stages.push({ kind: 'relu', index: i++ });
  for (let b = 1; b < h.length; b++) {
    const layer = f.groupConv({
      inChannels: h[b - 1]!,
      outChannels: h[b]!,
      kernelSize: k,
      stride: config.stride,
      padding: pad,
    });
    stages.push({ kind: 'conv', index: i++, layer });
    stages.push(f.norm(i++, h[b]!));
    if (config.pooling) stages.push({ kind: 'pool', index: i++ });
    stages.push({ kind: 'relu', index: i++ });
  }
  const last = h[h.length - 1]!;
  const layer = f.groupConv({
    inChannels: last,
    outChannels: last,
    kernelSize: ckgCnnLastKernelSize(config.imageSize, h.length),
    stride: 1,
    padding: 0,
  });
  stages.push({ kind: 'conv', index: i++, layer });
  stages.push(f.norm(i++, last));
  stages.push({ kind: 'relu', index: i++ });
  const head = new ClassifierHead(last, config.numClasses, rng);
  return new GroupClassifier(config, { lifting, stages, head });
}

/** Kernel size of the CK-G-CNN's last group conv: `imageSize // 2^len(hiddenSizes)` (no clamp). */
export function ckgCnnLastKernelSize(imageSize: number, numHiddenSizes: number): number {
  return Math.floor(imageSize / 2 ** numHiddenSizes);
}
