import type { Implementation } from '@gcnn/group-conv';
import type { GroupName } from '@gcnn/lie-groups';
import type { ModelName } from '@gcnn/models';
import { isIntSequence, type TorchModule } from './torch-module';

/**
 * The hyperparameters of a reference model under the reference's own names (its constructor
 * arguments and `train_model.py` flags), as recovered from a whole pickled module.
 */
export interface ReferenceHyperparameters {
  model: ModelName;
  group: GroupName;
  /** The scale group's largest scale (a float32 tensor in the module, given as its shortest decimal); null for SE2. */
  max_scale: number | null;
  implementation: Implementation;
  /** N, or [rotations, scales] for Sim(2). */
  num_group_elem: number | [number, number];
  sampling_method: 'discretise' | 'uniform';
  in_channels: number;
  /** Classes. */
  out_channels: number;
  spatial_in_size: number;
  /** Widths after the widen factor (the module stores them widened). */
  hidden_sizes: number[];
  /** The widen factor: recovered for All-CNN-C (fixed widths); 1 otherwise, since `hidden_sizes` are already widened. */
  widen_factor: number;
  kernel_size: number;
  pooling: boolean;
  dropout: number;
  normalisation: 'batchnorm' | 'layernorm' | 'instancenorm';
  padding: boolean;
  stride: number;
  bias: boolean;
  ck_net_num_hidden: number;
  ck_net_hidden_size: number;
  first_omega_0: number;
  omega_0: number;
}

const MODELS: Record<string, ModelName> = {
  CKGResNet: 'ckgresnet',
  CKGCNN: 'ckgcnn',
  CKGAllCNNC: 'ckgallcnnc',
};
const GROUPS: Record<string, GroupName> = { SO2: 'SE2', Rplus: 'R2xRplus', SO2xRplus: 'Sim2' };
const NORMALISATIONS: Record<string, ReferenceHyperparameters['normalisation']> = {
  BatchNorm: 'batchnorm',
  LayerNorm: 'layernorm',
  InstanceNorm: 'instancenorm',
};
const ALLCNNC_FIRST_WIDTH = 96;
const ALLCNNC_LAST_WIDTH = 192;

/** The shortest decimal that is the same float32 (a `torch.tensor(1.74)` holds 1.7400000095…). */
function shortestFloat32(x: number): number {
  for (let digits = 1; digits <= 9; digits++) {
    const y = Number(x.toPrecision(digits));
    if (Math.fround(y) === x) return y;
  }
  return x;
}

function maxScaleOf(group: TorchModule): number | null {
  const rplus = group.className === 'SO2xRplus' ? group.child('Rplus') : group;
  if (rplus.className !== 'Rplus') return null;
  const t = rplus.tensor('max_scale');
  if (t.size !== 1) rplus.fail(`has a max_scale of shape [${t.shape}], expected a scalar`);
  const v = Number(t.values[0]);
  return t.dtype === 'float32' ? shortestFloat32(v) : v;
}

/** The first group convolution after the lifting layer (a block's first conv for CK-G-ResNet). */
function firstGroupConv(layers: readonly TorchModule[]): TorchModule | undefined {
  for (const m of layers) {
    if (m.className === 'GroupConvBlock') return m.child('gconv_1');
    if (m.className.startsWith('GroupConv')) return m;
  }
  return undefined;
}

/** The widen factor of an All-CNN-C from its stored widths `int(w·96)`, …, `int(w·192)`. */
function allCnnCWiden(root: TorchModule, widths: number[]): number {
  const candidates = [
    widths[0]! / ALLCNNC_FIRST_WIDTH,
    widths[widths.length - 1]! / ALLCNNC_LAST_WIDTH,
  ];
  const base = [96, 96, 96, 192, 192, 192, 192, 192];
  const w = candidates.find((c) => base.every((b, i) => Math.trunc(c * b) === widths[i]));
  if (w === undefined)
    root.fail(`has widths [${widths}] that no widen factor of All-CNN-C's [${base}] reproduces`);
  return w;
}

/** Pooling, dropout and normalisation, read off the module list `layers`. */
function layerHyperparameters(
  model: ModelName,
  layers: readonly TorchModule[],
  root: TorchModule,
): Pick<ReferenceHyperparameters, 'pooling' | 'dropout' | 'normalisation'> {
  const pools = layers.filter((m) => m.className === 'GroupMaxPoolingRn');
  for (const p of pools)
    if (p.int('kernel_size') !== 2 || p.int('stride_Rn') !== 2)
      p.fail('pools with a window other than 2×2, stride 2 (the only one the reference builds)');
  const norm = layers.find((m) => NORMALISATIONS[m.className] !== undefined);
  if (!norm) root.fail('has no BatchNorm, LayerNorm or InstanceNorm in its layers');
  const dropout = layers.find((m) => m.className === 'Dropout');
  return {
    // CK-G-CNN always pools after the lifting layer; the flag is about the blocks.
    pooling: model === 'ckgcnn' ? pools.length > 1 : pools.length > 0,
    dropout: model === 'ckgresnet' && dropout ? dropout.child('dropout').number('p') : 0,
    normalisation: NORMALISATIONS[norm.className]!,
  };
}

/**
 * Recovers a reference model's hyperparameters from the pickled module `root` (a `CKGResNet`,
 * `CKGCNN` or `CKGAllCNNC` of `ck_g_cnn`): the group and its max scale from the lifting layer's
 * group, sampling, padding and bias from the lifting conv, the kernel nets from its SIREN,
 * stride from the first group conv, pooling, dropout and normalisation from the layer list, the
 * rest from the model's own attributes. Throws a `TorchCheckpointError` naming the module and
 * attribute when something is missing or of the wrong type.
 */
export function referenceHyperparameters(root: TorchModule): ReferenceHyperparameters {
  const model = MODELS[root.className];
  if (!model || !root.object.className.startsWith('ck_g_cnn.'))
    return root.fail(
      "is not one of the reference's models (ck_g_cnn CKGResNet, CKGCNN or CKGAllCNNC)",
    );
  const lifting = root.child('lifting');
  const groupModule = lifting.child('group');
  const group = GROUPS[groupModule.className];
  if (!group) return groupModule.fail('is not one of the groups SO2, Rplus, SO2xRplus');
  const layers = root
    .child('layers')
    .children()
    .map(([, m]) => m);
  const cknet = lifting.child('kernel').child('cknet');
  if (cknet.string('implementation') !== 'SIREN')
    cknet.fail(`is a '${cknet.string('implementation')}' kernel net; gcnn implements SIREN`);
  const n = lifting.value('num_group_elem');
  if (!(typeof n === 'number' || (isIntSequence(n) && n.length === 2)))
    return lifting.fail('has a num_group_elem that is neither N nor [rotations, scales]');
  const sampling = lifting.string('sampling_method');
  if (sampling !== 'discretise' && sampling !== 'uniform')
    return lifting.fail(`samples '${sampling}', expected 'discretise' or 'uniform'`);
  const padding = lifting.value('padding');
  const hidden = root.ints('hidden_sizes');
  return {
    model,
    group,
    max_scale: maxScaleOf(groupModule),
    implementation: root.string('implementation') as Implementation,
    num_group_elem: typeof n === 'number' ? n : [n[0]!, n[1]!],
    sampling_method: sampling,
    in_channels: root.int('in_channels'),
    out_channels: root.int('out_channels'),
    spatial_in_size: root.int('spatial_in_size'),
    hidden_sizes: hidden,
    widen_factor: model === 'ckgallcnnc' ? allCnnCWiden(root, hidden) : 1,
    kernel_size: root.int('kernel_size'),
    ...layerHyperparameters(model, layers, root),
    padding: isIntSequence(padding) ? padding.some((p) => p > 0) : padding !== 0,
    stride: firstGroupConv(layers)?.int('stride') ?? 1,
    bias: lifting.value('bias') !== null,
    ck_net_num_hidden: cknet.int('hidden_layers'),
    ck_net_hidden_size: cknet.int('hidden_features'),
    first_omega_0: cknet.number('first_omega_0'),
    omega_0: cknet.number('hidden_omega_0'),
  };
}
