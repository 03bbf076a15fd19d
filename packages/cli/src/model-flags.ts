import { COMPATIBILITY_MODES, IMPLEMENTATIONS } from '@gcnn/group-conv';
import { GROUP_NAMES, SAMPLING_METHODS } from '@gcnn/lie-groups';
import { MODEL_NAMES, MODEL_PRESETS, type ModelPresetName, NORMALIZATIONS } from '@gcnn/models';
import { type ConfigKey, configValueAt } from './config-keys';
import { flag, formatFlagValue } from './flag-spec';
import { DATASET_IDS } from './load-datasets';

const MODEL = 'Model (override the preset)';
const DATA = 'Data';

/** `--preset` values. */
export const PRESET_NAMES = Object.keys(MODEL_PRESETS) as ModelPresetName[];

/** Help text of a model field's default: the preset's, and its value in the default preset. */
function presetDefault<K extends ConfigKey>(key: K): { key: K; defaultText: string } {
  const value = configValueAt({ model: MODEL_PRESETS.default }, key);
  const shown = value === undefined ? 'unset' : formatFlagValue(value);
  return { key, defaultText: `the preset's; ${shown} in --preset default` };
}

/**
 * Model flags (shared by `train`, `info` and `visualize`): a preset, then one flag per field of
 * its `ModelConfig` (`key`), and the dataset, which sets the input shape and classes.
 */
export const MODEL_FLAGS = {
  preset: flag.choice(PRESET_NAMES, {
    description: 'Start from a model preset of @gcnn/models (flags override its fields)',
    default: 'default',
    section: MODEL,
  }),
  config: flag.string({
    description:
      'JSON file of flag values ({"group": "SE2", "hidden-sizes": [32,32,64], …}) or a run\'s config.json; command-line flags override it',
    section: MODEL,
  }),
  model: flag.choice(MODEL_NAMES, {
    description: 'Architecture',
    ...presetDefault('model.model'),
    reference: '--model',
    section: MODEL,
  }),
  group: flag.choice(GROUP_NAMES, {
    description: 'Lie group: SE2 (rotations), R2xRplus (dilations), Sim2 (rotations and dilations)',
    ...presetDefault('model.group'),
    reference: '--group',
    section: MODEL,
  }),
  'num-group-elements': flag.intList({
    min: 1,
    description: 'Sampled elements of H: "8", or "16,3" (rotations, scales) for Sim2',
    defaultText: presetDefault('model.sampleCount').defaultText,
    reference: '--num_group_elements',
    section: MODEL,
  }),
  'sampling-method': flag.choice(SAMPLING_METHODS, {
    choiceAliases: { discretise: 'discretize' },
    description:
      'Grid on H: a fixed grid, or a randomly rotated grid in training (discretise accepted)',
    ...presetDefault('model.sampling'),
    reference: '--sampling_method',
    section: MODEL,
  }),
  'max-scale': flag.float({
    min: 1,
    description: 'Largest dilation (R2xRplus, Sim2)',
    ...presetDefault('model.maxScale'),
    reference: '--max_scale',
    section: MODEL,
  }),
  implementation: flag.choice(IMPLEMENTATIONS, {
    description: 'Group convolution factorisation',
    ...presetDefault('model.implementation'),
    reference: '--implementation',
    section: MODEL,
  }),
  'hidden-sizes': flag.intList({
    min: 1,
    description: 'Channel widths of the lifting layer and blocks, e.g. 32,32,64',
    ...presetDefault('model.hiddenSizes'),
    reference: '--hidden_sizes',
    section: MODEL,
  }),
  'widen-factor': flag.float({
    min: 0,
    description: 'Multiplies the widths',
    ...presetDefault('model.widenFactor'),
    reference: '--widen_factor',
    section: MODEL,
  }),
  'kernel-size': flag.int({
    min: 1,
    description: 'Spatial kernel size k',
    ...presetDefault('model.kernelSize'),
    reference: '--kernel_size',
    section: MODEL,
  }),
  stride: flag.int({
    min: 1,
    description: 'Stride of the first conv of each block',
    ...presetDefault('model.stride'),
    reference: '--stride',
    section: MODEL,
  }),
  padding: flag.boolean({
    negatable: true,
    description: 'Pad the lifting layer by k//2',
    ...presetDefault('model.padding'),
    reference: '--padding 1 / --no_padding',
    section: MODEL,
  }),
  pooling: flag.boolean({
    negatable: true,
    description: '2×2 spatial max pooling after each block',
    ...presetDefault('model.pooling'),
    reference: '--pooling 1 / --no_pooling',
    section: MODEL,
  }),
  normalization: flag.choice(NORMALIZATIONS, {
    aliases: ['normalisation'],
    description:
      'Normalization after the lifting layer and blocks (blocks always use batchnorm inside, as the reference)',
    ...presetDefault('model.normalization'),
    reference: '--normalisation',
    section: MODEL,
  }),
  dropout: flag.float({
    min: 0,
    description: 'Feature-map dropout probability (0 disables)',
    ...presetDefault('model.dropout'),
    reference: '--dropout',
    section: MODEL,
  }),
  'ck-net-num-hidden': flag.int({
    min: 0,
    description: 'Hidden sine layers of the kernel SIRENs after the first',
    ...presetDefault('model.kernelNet.numHidden'),
    reference: '--ck_net_num_hidden',
    section: MODEL,
  }),
  'ck-net-hidden-size': flag.int({
    min: 1,
    description: 'Width of the kernel SIRENs',
    ...presetDefault('model.kernelNet.hiddenSize'),
    reference: '--ck_net_hidden_size',
    section: MODEL,
  }),
  'first-omega-0': flag.float({
    description: 'SIREN ω₀ of the first layer',
    ...presetDefault('model.kernelNet.firstOmega0'),
    reference: '--first_omega_0',
    section: MODEL,
  }),
  'omega-0': flag.float({
    description: 'SIREN ω₀ of the other layers',
    ...presetDefault('model.kernelNet.omega0'),
    reference: '--omega_0',
    section: MODEL,
  }),
  compatibility: flag.choice(COMPATIBILITY_MODES, {
    description:
      "Numerics: 'gcnn' (corrected) or 'reference' (the reference's conventions, for parity)",
    ...presetDefault('model.compatibility'),
    section: MODEL,
  }),
  dataset: flag.choice(DATASET_IDS, {
    choiceAliases: {
      MNIST_rot: 'mnist-rot',
      MNIST: 'mnist',
      MNIST_scale: 'mnist-scale',
      MNIST_rot_scale: 'mnist-rot-scale',
      CIFAR10: 'cifar10',
      CIFAR10_rot: 'cifar10-rot',
      CIFAR100: 'cifar100',
      STL10: 'stl10',
      Galaxy10: 'galaxy10',
    },
    description: 'Dataset; sets the input channels, image size and classes of the model',
    default: 'mnist-rot',
    key: 'dataset.id',
    reference: '--dataset',
    section: DATA,
  }),
};
