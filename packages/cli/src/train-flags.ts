import { IMPLEMENTATIONS } from '@gcnn/group-conv';
import { GROUP_NAMES } from '@gcnn/lie-groups';
import { MODEL_NAMES, MODEL_PRESETS, NORMALIZATIONS } from '@gcnn/models';
import { LR_SCHEDULE_KINDS, OPTIMIZER_NAMES } from '@gcnn/training';
import { BACKEND_NAMES } from './backend';
import type { FlagSpec } from './flags';
import { DATASET_IDS } from './load-datasets';

const MODEL = 'Model (override the preset)';
const DATA = 'Data';
const OPTIM = 'Optimization';
const RUN = 'Run';

/** `--backend`, shared by every command. */
export const BACKEND_FLAG: FlagSpec = {
  name: 'backend',
  type: 'choice',
  choices: BACKEND_NAMES,
  description:
    'tfjs backend: wasm (SIMD + @gcnn/tfjs-wasm-training kernels, fastest on CPU), cpu (plain JS), webgpu (needs the npm packages webgpu and @tensorflow/tfjs-backend-webgpu), tensorflow (needs @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node), webgl (browsers only)',
  defaultText: 'wasm',
  section: RUN,
};

/** `--gpu-adapter`, shared by every command: which GPU adapter `--backend webgpu` uses in Node. */
export const GPU_ADAPTER_FLAG: FlagSpec = {
  name: 'gpu-adapter',
  type: 'string',
  description:
    "webgpu in Node: the GPU adapter, as an index into Dawn's adapter list or part of its name (e.g. 0, nvidia, H100, swiftshader); an unknown name lists the adapters",
  defaultText: 'GCNN_GPU_ADAPTER, else the first adapter',
  section: RUN,
};

/** `--help`, shared by every command. */
/** `--checkpoint` and `--kind`: which saved checkpoint a command reads (evaluate, export). */
export const CHECKPOINT_FLAGS: readonly FlagSpec[] = [
  {
    name: 'checkpoint',
    type: 'string',
    description:
      'A run folder (its best checkpoint, else last), a checkpoints/ folder, a checkpoint .json, or a model file (.json of gcnn export / gcnn import-torch, or its folder)',
  },
  {
    name: 'kind',
    type: 'choice',
    choices: ['best', 'last'],
    description: 'Which checkpoint of a folder',
    defaultText: 'best',
  },
];

export const HELP_FLAG: FlagSpec = {
  name: 'help',
  aliases: ['h'],
  type: 'boolean',
  description: 'Show this help',
  section: RUN,
};

/** Model flags (shared by `train` and `info`). */
export const MODEL_FLAGS: readonly FlagSpec[] = [
  {
    name: 'preset',
    type: 'choice',
    choices: Object.keys(MODEL_PRESETS),
    description: 'Start from a model preset of @gcnn/models (flags override its fields)',
    defaultText: 'default',
    section: MODEL,
  },
  {
    name: 'config',
    type: 'string',
    description:
      'JSON file of flag values ({"group": "SE2", "hidden-sizes": [32,32,64], …}) or a run\'s config.json; command-line flags override it',
    section: MODEL,
  },
  {
    name: 'model',
    type: 'choice',
    choices: MODEL_NAMES,
    description: 'Architecture',
    reference: '--model',
    section: MODEL,
  },
  {
    name: 'group',
    type: 'choice',
    choices: GROUP_NAMES,
    description: 'Lie group: SE2 (rotations), R2xRplus (dilations), Sim2 (rotations and dilations)',
    reference: '--group',
    section: MODEL,
  },
  {
    name: 'num-group-elements',
    type: 'int-list',
    min: 1,
    description: 'Sampled elements of H: "8", or "16,3" (rotations, scales) for Sim2',
    reference: '--num_group_elements',
    section: MODEL,
  },
  {
    name: 'sampling-method',
    type: 'choice',
    choices: ['discretize', 'uniform'],
    choiceAliases: { discretise: 'discretize' },
    description:
      'Grid on H: a fixed grid, or a randomly rotated grid in training (discretise accepted)',
    reference: '--sampling_method',
    section: MODEL,
  },
  {
    name: 'max-scale',
    type: 'float',
    min: 1,
    description: 'Largest dilation (R2xRplus, Sim2)',
    reference: '--max_scale',
    section: MODEL,
  },
  {
    name: 'implementation',
    type: 'choice',
    choices: IMPLEMENTATIONS,
    description: 'Group convolution factorisation',
    reference: '--implementation',
    section: MODEL,
  },
  {
    name: 'hidden-sizes',
    type: 'int-list',
    min: 1,
    description: 'Channel widths of the lifting layer and blocks, e.g. 32,32,64',
    reference: '--hidden_sizes',
    section: MODEL,
  },
  {
    name: 'widen-factor',
    type: 'float',
    min: 0,
    description: 'Multiplies the widths',
    reference: '--widen_factor',
    section: MODEL,
  },
  {
    name: 'kernel-size',
    type: 'int',
    min: 1,
    description: 'Spatial kernel size k',
    reference: '--kernel_size',
    section: MODEL,
  },
  {
    name: 'stride',
    type: 'int',
    min: 1,
    description: 'Stride of the first conv of each block',
    reference: '--stride',
    section: MODEL,
  },
  {
    name: 'padding',
    type: 'boolean',
    negatable: true,
    description: 'Pad the lifting layer by k//2',
    reference: '--padding 1 / --no_padding',
    section: MODEL,
  },
  {
    name: 'pooling',
    type: 'boolean',
    negatable: true,
    description: '2×2 spatial max pooling after each block',
    reference: '--pooling 1 / --no_pooling',
    section: MODEL,
  },
  {
    name: 'normalization',
    aliases: ['normalisation'],
    type: 'choice',
    choices: NORMALIZATIONS,
    description:
      'Normalization after the lifting layer and blocks (blocks always use batchnorm inside, as the reference)',
    reference: '--normalisation',
    section: MODEL,
  },
  {
    name: 'dropout',
    type: 'float',
    min: 0,
    description: 'Feature-map dropout probability (0 disables)',
    reference: '--dropout',
    section: MODEL,
  },
  {
    name: 'ck-net-num-hidden',
    type: 'int',
    min: 0,
    description: 'Hidden sine layers of the kernel SIRENs after the first',
    reference: '--ck_net_num_hidden',
    section: MODEL,
  },
  {
    name: 'ck-net-hidden-size',
    type: 'int',
    min: 1,
    description: 'Width of the kernel SIRENs',
    reference: '--ck_net_hidden_size',
    section: MODEL,
  },
  {
    name: 'first-omega-0',
    type: 'float',
    description: 'SIREN ω₀ of the first layer',
    reference: '--first_omega_0',
    section: MODEL,
  },
  {
    name: 'omega-0',
    type: 'float',
    description: 'SIREN ω₀ of the other layers',
    reference: '--omega_0',
    section: MODEL,
  },
  {
    name: 'compatibility',
    type: 'choice',
    choices: ['gcnn', 'reference'],
    description:
      "Numerics: 'gcnn' (corrected) or 'reference' (the reference's conventions, for parity)",
    defaultText: 'gcnn',
    section: MODEL,
  },
  {
    name: 'dataset',
    type: 'choice',
    choices: DATASET_IDS,
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
    defaultText: 'mnist-rot',
    reference: '--dataset',
    section: DATA,
  },
];

/** Flags of `gcnn train` (model flags, data, optimization, run). */
export const TRAIN_FLAGS: readonly FlagSpec[] = [
  ...MODEL_FLAGS,
  {
    name: 'data-dir',
    type: 'string',
    description:
      'Folder (or file for galaxy10: Galaxy10.h5; for mnist-rot: mnist_rotation_new.zip or its .amat files) with user-supplied dataset files; mnist, mnist-rot, mnist-scale, mnist-rot-scale need none (embedded MNIST)',
    section: DATA,
  },
  {
    name: 'augment',
    type: 'boolean',
    description:
      "The reference's training augmentations (cifar10: crop + flip; stl10: crop + flip + cutout)",
    reference: '--augment',
    section: DATA,
  },
  {
    name: 'limit-train',
    type: 'int',
    min: 1,
    description: 'Use only the first N training images',
    section: DATA,
  },
  {
    name: 'limit-test',
    type: 'int',
    min: 1,
    description: 'Use only the first N test images',
    section: DATA,
  },
  {
    name: 'epochs',
    type: 'int',
    min: 1,
    description: 'Epochs',
    reference: '--epochs',
    section: OPTIM,
  },
  {
    name: 'batch-size',
    type: 'int',
    min: 1,
    description: 'Batch size (training and evaluation)',
    reference: '--batch_size',
    section: OPTIM,
  },
  {
    name: 'eval-batch-size',
    type: 'int',
    min: 1,
    description: 'Batch size of the evaluations',
    defaultText: 'max(batch size, 100)',
    section: OPTIM,
  },
  {
    name: 'optimizer',
    aliases: ['optim'],
    type: 'choice',
    choices: OPTIMIZER_NAMES,
    description: 'Optimizer (PyTorch update rules; weight decay is L2 added to the gradient)',
    reference: '--optim',
    section: OPTIM,
  },
  {
    name: 'learning-rate',
    aliases: ['lr'],
    type: 'float',
    min: 0,
    description: 'Base learning rate',
    reference: '--learning_rate',
    section: OPTIM,
  },
  {
    name: 'momentum',
    type: 'float',
    min: 0,
    description: 'SGD momentum',
    reference: '--momentum',
    section: OPTIM,
  },
  {
    name: 'nesterov',
    type: 'boolean',
    description: 'SGD Nesterov momentum',
    reference: '--nesterov',
    section: OPTIM,
  },
  {
    name: 'weight-decay',
    type: 'float',
    min: 0,
    description: 'L2 weight decay',
    reference: '--weight_decay',
    section: OPTIM,
  },
  {
    name: 'lr-schedule',
    type: 'choice',
    choices: LR_SCHEDULE_KINDS,
    description:
      'Learning-rate schedule, stepped per epoch: cosine = CosineAnnealingLR(T_max = epochs, η_min = 0)',
    reference: '--learning_rate_cosine 1 / --learning_rate_steps',
    section: OPTIM,
  },
  {
    name: 'lr-steps',
    type: 'int-list',
    min: 0,
    description: 'Milestone epochs of the multistep schedule (implies --lr-schedule multistep)',
    reference: '--learning_rate_steps',
    section: OPTIM,
  },
  {
    name: 'lr-gamma',
    type: 'float',
    min: 0,
    description: 'Factor of the multistep schedule',
    defaultText: '0.1',
    reference: '--learning_rate_gamma',
    section: OPTIM,
  },
  {
    name: 'eval-every',
    type: 'int',
    min: 0,
    description:
      'Evaluate on the test set every N epochs (0: only after the last epoch, which is always evaluated)',
    defaultText: '1 (default preset: 0)',
    section: OPTIM,
  },
  {
    name: 'seed',
    type: 'int',
    description: 'One seed for weights, data order, augmentation, dropout and uniform sampling',
    defaultText: '0',
    reference: '--fix_seed',
    section: OPTIM,
  },
  {
    name: 'out',
    type: 'string',
    description: 'Run folder (config.json, metrics.jsonl, checkpoints/, curves.svg, summary.svg)',
    defaultText: 'runs/<date>-<preset>',
    section: RUN,
  },
  {
    name: 'resume',
    type: 'string',
    description:
      'Continue the run in this folder exactly from its last checkpoint (its config is used; --max-steps, --epochs and run flags may change)',
    section: RUN,
  },
  {
    name: 'load',
    type: 'string',
    description:
      'Initialise the model from a checkpoint or a model file (folder or .json; the model config comes from it)',
    reference: '--model_load_path',
    section: RUN,
  },
  {
    name: 'test-only',
    type: 'boolean',
    description: 'Only evaluate (with --load) on the test set',
    section: RUN,
  },
  {
    name: 'max-steps',
    type: 'int',
    min: 1,
    description: 'Stop after this many optimizer steps (then evaluate and checkpoint); for tests',
    section: RUN,
  },
  {
    name: 'checkpoint-every',
    type: 'int',
    min: 0,
    description:
      'Also write the last checkpoint every N steps inside an epoch (0: only at epoch ends)',
    defaultText: '200',
    section: RUN,
  },
  {
    name: 'workers',
    type: 'int',
    min: 1,
    description:
      'Data-parallel training on this many threads (cpu and wasm backends): this thread plus workers−1 worker threads, each with its own backend and model replica computing a contiguous shard of every batch; gradients are averaged. 1 = one thread, deterministic as always; with batch norm each shard uses its own batch statistics',
    defaultText: '1',
    section: RUN,
  },
  {
    name: 'print-interval',
    type: 'int',
    min: 1,
    description: 'Read the loss and write a metrics line every N steps',
    defaultText: '10',
    reference: '--print_interval',
    section: RUN,
  },
  BACKEND_FLAG,
  GPU_ADAPTER_FLAG,
  HELP_FLAG,
];
