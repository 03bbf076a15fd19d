import { createRng } from '@gcnn/lie-groups';
import { GroupClassifier } from './group-classifier';
import { layerFactory, widen } from './internal/layer-factory';
import type { Stage } from './internal/stage';
import type { ModelConfig } from './model-config';

/** The All-CNN-C widths of the reference (`hiddenSizes` is ignored), before the widen factor. */
export const ALLCNNC_WIDTHS = [96, 96, 96, 192, 192, 192, 192, 192] as const;

/**
 * The CK-G-All-CNN-C (reference `CKGAllCNNC`, §5.5; Springenberg et al. 2014, Cohen & Welling
 * 2016), widths `ALLCNNC_WIDTHS`·widenFactor = w:
 *
 * - `lifting` (kernel k, padding k//2 if `padding`), Dropout(0.2), norm, ReLU;
 * - group convs w0→w1 (then 2×2 max pool), w1→w2 (then Dropout(0.5)), w2→w3, w3→w4 (then max
 *   pool), w4→w5 (then Dropout(0.5)), w5→w6, each kernel k, padding k//2, `stride`, followed by
 *   norm and ReLU (the pools sit before the norm, the dropouts after it);
 * - a 1×1 group conv w6→w7, norm, ReLU;
 * - `finalLinear`: a 1×1 group conv w7 → numClasses, then max over (h, w, G) gives the logits.
 *
 * `hiddenSizes`, `pooling` and `dropout` of the config do not apply (fixed, as the reference).
 */
export function ckgAllCnnC(config: ModelConfig): GroupClassifier {
  const rng = createRng(config.seed);
  const f = layerFactory(config, rng);
  const w = widen(ALLCNNC_WIDTHS, config.widenFactor);
  const k = config.kernelSize;
  const pad = Math.floor(k / 2);
  const lifting = f.lifting(w[0]!, config.padding ? pad : 0);
  const stages: Stage[] = [];
  let i = 0;
  stages.push({ kind: 'dropout', index: i++, rate: 0.2 });
  stages.push(f.norm(i++, w[0]!));
  stages.push({ kind: 'relu', index: i++ });
  const conv = (cin: number, cout: number, kernelSize: number, padding: number) =>
    stages.push({
      kind: 'conv',
      index: i++,
      layer: f.groupConv({
        inChannels: cin,
        outChannels: cout,
        kernelSize,
        stride: config.stride,
        padding,
      }),
    });
  for (let l = 1; l <= 6; l++) {
    conv(w[l - 1]!, w[l]!, k, pad);
    if (l === 1 || l === 4) stages.push({ kind: 'pool', index: i++ });
    stages.push(f.norm(i++, w[l]!));
    if (l === 2 || l === 5) stages.push({ kind: 'dropout', index: i++, rate: 0.5 });
    stages.push({ kind: 'relu', index: i++ });
  }
  conv(w[6]!, w[7]!, 1, 0);
  stages.push(f.norm(i++, w[7]!));
  stages.push({ kind: 'relu', index: i++ });
  const finalConv = f.groupConv({
    inChannels: w[7]!,
    outChannels: config.numClasses,
    kernelSize: 1,
    stride: 1,
    padding: 0,
  });
  return new GroupClassifier(config, { lifting, stages, finalConv });
}
