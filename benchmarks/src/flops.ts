import { groupByName, resolveGroupGrid } from '@gcnn/lie-groups';
import type { ModelConfig } from '@gcnn/models';

/** One counted operation of a forward pass. */
export interface OpCount {
  layer: string;
  op: 'conv2d' | 'matMul' | 'depthwise' | 'kernel-net';
  flops: number;
  /** float32 bytes of the op's output (activations written). */
  bytes: number;
}

/** FLOPs of a SIREN kernel net evaluated at `points` (2 per multiply-add; sines not counted). */
function sirenFlops(
  points: number,
  inputDim: number,
  hidden: number,
  numHidden: number,
  out: number,
) {
  return 2 * points * (inputDim * hidden + numHidden * hidden * hidden + hidden * out);
}

/**
 * Counts the forward pass of a `ckgresnet` config at batch `batch` from shapes: convs
 * 2·N·H′·W′·k²·Cin·Cout (padded taps included), matMuls 2·M·K·N, depthwise 2·N·H′·W′·k²·C, and the
 * kernel nets' MLP evaluations (run for every layer on every training step; cached at inference).
 * Norms, ReLU, pooling and the head are elementwise or tiny and not counted.
 */
export function countForward(config: ModelConfig, batch: number): OpCount[] {
  if (config.model !== 'ckgresnet' && config.model !== 'ckgcnn')
    throw new Error(`countForward: ckgresnet and ckgcnn only, got ${config.model}`);
  const ops: OpCount[] = [];
  const { subgroup } = groupByName({ name: config.group, maxScale: config.maxScale });
  const { nRotations: R, nScales: S, size: G } = resolveGroupGrid(subgroup, config.sampleCount);
  const dof = config.group === 'SE2' ? 1 : 2;
  const kn = config.kernelNet;
  const k = config.kernelSize;
  const widths = config.hiddenSizes.map((h) => Math.floor(h * (config.widenFactor ?? 1)));
  let size = config.imageSize;
  const B = batch;
  const liftPad = config.padding || config.model === 'ckgcnn' ? Math.floor(k / 2) : 0;
  const liftOut = size + 2 * liftPad - k + 1;
  ops.push({
    layer: 'lifting',
    op: 'conv2d',
    flops: 2 * B * liftOut * liftOut * k * k * config.inChannels * G * widths[0]!,
    bytes: 4 * B * liftOut * liftOut * G * widths[0]!,
  });
  ops.push({
    layer: 'lifting',
    op: 'kernel-net',
    flops: sirenFlops(G * k * k, 2, kn.hiddenSize, kn.numHidden, widths[0]! * config.inChannels),
    bytes: 0,
  });
  size = liftOut;
  const conv = (
    layer: string,
    cin: number,
    cout: number,
    ks: number,
    inSize: number,
    outSize: number,
    hidden: number,
  ) => {
    const pix = B * outSize * outSize;
    const inPix = B * inSize * inSize;
    switch (config.implementation) {
      case 'nonseparable':
        ops.push({
          layer,
          op: 'conv2d',
          flops: 2 * pix * ks * ks * G * cin * G * cout,
          bytes: 4 * pix * G * cout,
        });
        ops.push({
          layer,
          op: 'kernel-net',
          flops: sirenFlops(G * G * ks * ks, 2 + dof, hidden, kn.numHidden, cout * cin),
          bytes: 0,
        });
        break;
      case 'separable':
        ops.push({
          layer,
          op: 'matMul',
          flops: 2 * inPix * G * cin * G * cout,
          bytes: 4 * inPix * G * cout,
        });
        ops.push({
          layer,
          op: 'depthwise',
          flops: 2 * pix * ks * ks * G * cout,
          bytes: 4 * pix * G * cout,
        });
        ops.push({
          layer,
          op: 'kernel-net',
          flops:
            sirenFlops(G * G, dof, hidden, kn.numHidden, cout * cin) +
            sirenFlops(G * ks * ks, 2, hidden, kn.numHidden, cout),
          bytes: 0,
        });
        break;
      case 'separable+2d':
        ops.push({
          layer,
          op: 'matMul',
          flops: 2 * inPix * S * R * cin * R * cout + 2 * inPix * R * cout * S * S,
          bytes: 8 * inPix * G * cout,
        });
        ops.push({
          layer,
          op: 'depthwise',
          flops: 2 * pix * ks * ks * G * cout,
          bytes: 4 * pix * G * cout,
        });
        ops.push({
          layer,
          op: 'kernel-net',
          flops:
            sirenFlops(R * R, 1, hidden, kn.numHidden, cout * cin) +
            sirenFlops(S * S, 1, hidden, kn.numHidden, cout) +
            sirenFlops(G * ks * ks, 2, hidden, kn.numHidden, cout),
          bytes: 0,
        });
        break;
      default:
        throw new Error(`countForward: implementation ${config.implementation} not counted`);
    }
  };
  if (config.model === 'ckgcnn') {
    size = Math.floor(size / 2); // the lifting stage always pools
    for (let i = 1; i < widths.length; i++) {
      conv(`conv${i}`, widths[i - 1]!, widths[i]!, k, size, size, kn.hiddenSize);
      if (config.pooling) size = Math.floor(size / 2);
    }
    const last = widths[widths.length - 1]!;
    const lk = Math.floor(config.imageSize / 2 ** widths.length);
    conv('last', last, last, lk, size, size - lk + 1, kn.hiddenSize);
    return ops;
  }
  for (let b = 1; b < widths.length; b++) {
    const [cin, cout] = [widths[b - 1]!, widths[b]!];
    conv(`block${b}.gconv1`, cin, cin, k, size, size, kn.hiddenSize);
    conv(`block${b}.gconv2`, cin, cout, k, size, size, kn.hiddenSize);
    if (cin !== cout)
      conv(`block${b}.skipAlign`, cin, cout, 1, size, size, Math.floor(kn.hiddenSize / 2));
    if (config.pooling) size = Math.floor(size / 2);
  }
  const last = widths[widths.length - 1]!;
  const lk = Math.min(11, Math.max(3, Math.floor(config.imageSize / 2 ** (widths.length - 1)) - k));
  conv('last', last, last, lk, size, size - lk + 1, kn.hiddenSize);
  return ops;
}

export interface FlopSummary {
  forwardGflop: number;
  /** forward + input gradients + weight gradients ≈ 3 × forward (kernel nets included). */
  trainGflop: number;
  byOp: Record<string, number>;
  activationMiB: number;
}

export function summarize(config: ModelConfig, batch: number): FlopSummary {
  const ops = countForward(config, batch);
  const byOp: Record<string, number> = {};
  let f = 0;
  let bytes = 0;
  for (const o of ops) {
    byOp[o.op] = (byOp[o.op] ?? 0) + o.flops / 1e9;
    f += o.flops;
    bytes += o.bytes;
  }
  return { forwardGflop: f / 1e9, trainGflop: (3 * f) / 1e9, byOp, activationMiB: bytes / 2 ** 20 };
}
