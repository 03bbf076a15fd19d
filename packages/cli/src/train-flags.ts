import {
  LR_SCHEDULE_KINDS,
  MAX_SEED,
  MEMORY_MODES,
  NONFINITE_POLICIES,
  OPTIMIZER_NAMES,
} from '@gcnn/training';
import { COMMON_FLAGS } from './common-flags';
import { flag } from './flag-spec';
import { MODEL_FLAGS } from './model-flags';
import { MIN_EVAL_BATCH_SIZE, trainingDefaultText } from './training-defaults';

const DATA = 'Data';
const OPTIM = 'Optimization';
const RUN = 'Run';

/** Which data a run trains and tests on (besides `--dataset`). */
const DATA_FLAGS = {
  'data-dir': flag.string({
    description:
      'Folder (or file for galaxy10: Galaxy10.h5; for mnist-rot: mnist_rotation_new.zip or its .amat files) with user-supplied dataset files; mnist, mnist-rot, mnist-scale, mnist-rot-scale need none (embedded MNIST)',
    key: 'dataset.dataDir',
    section: DATA,
  }),
  augment: flag.boolean({
    description:
      "The reference's training augmentations (cifar10: crop + flip; stl10: crop + flip + cutout)",
    key: 'dataset.augment',
    reference: '--augment',
    section: DATA,
  }),
  'limit-train': flag.int({
    min: 1,
    description: 'Use only the first N training images',
    defaultText: 'all',
    key: 'dataset.limitTrain',
    section: DATA,
  }),
  'limit-test': flag.int({
    min: 1,
    description: 'Use only the first N test images',
    defaultText: 'all',
    key: 'dataset.limitTest',
    section: DATA,
  }),
};

/** The optimizer, its schedule, the batch and the seed. */
const OPTIMIZATION_FLAGS = {
  epochs: flag.int({
    min: 1,
    description: 'Epochs',
    defaultText: trainingDefaultText('epochs'),
    key: 'train.epochs',
    reference: '--epochs',
    section: OPTIM,
  }),
  'batch-size': flag.int({
    min: 1,
    description: 'Batch size (training and evaluation)',
    defaultText: trainingDefaultText('batchSize'),
    key: 'train.batchSize',
    reference: '--batch_size',
    section: OPTIM,
  }),
  'eval-batch-size': flag.int({
    min: 1,
    description: 'Batch size of the evaluations',
    defaultText: `max(batch size, ${MIN_EVAL_BATCH_SIZE})`,
    key: 'train.evalBatchSize',
    section: OPTIM,
  }),
  optimizer: flag.choice(OPTIMIZER_NAMES, {
    aliases: ['optim'],
    description: 'Optimizer (PyTorch update rules; weight decay is L2 added to the gradient)',
    defaultText: trainingDefaultText('optimizer'),
    key: 'train.optimizer.name',
    reference: '--optim',
    section: OPTIM,
  }),
  'learning-rate': flag.float({
    aliases: ['lr'],
    min: 0,
    description: 'Base learning rate',
    defaultText: trainingDefaultText('learningRate'),
    key: 'train.learningRate',
    reference: '--learning_rate',
    section: OPTIM,
  }),
  momentum: flag.float({
    min: 0,
    description: 'SGD momentum',
    default: 0,
    key: 'train.optimizer.momentum',
    reference: '--momentum',
    section: OPTIM,
  }),
  nesterov: flag.boolean({
    description: 'SGD Nesterov momentum',
    default: false,
    key: 'train.optimizer.nesterov',
    reference: '--nesterov',
    section: OPTIM,
  }),
  'weight-decay': flag.float({
    min: 0,
    description: 'L2 weight decay',
    defaultText: trainingDefaultText('weightDecay'),
    key: 'train.optimizer.weightDecay',
    reference: '--weight_decay',
    section: OPTIM,
  }),
  'lr-schedule': flag.choice(LR_SCHEDULE_KINDS, {
    description:
      'Learning-rate schedule, stepped per epoch: cosine = CosineAnnealingLR(T_max = epochs, η_min = 0); cosine-steps anneals the cosine after every step',
    defaultText: `multistep with --lr-steps, else ${trainingDefaultText('lrSchedule')}`,
    reference: '--learning_rate_cosine 1 / --learning_rate_steps',
    section: OPTIM,
  }),
  'lr-steps': flag.intList({
    min: 0,
    description: 'Milestone epochs of the multistep schedule (implies --lr-schedule multistep)',
    reference: '--learning_rate_steps',
    section: OPTIM,
  }),
  'lr-gamma': flag.float({
    min: 0,
    description: 'Factor of the multistep schedule',
    default: 0.1,
    reference: '--learning_rate_gamma',
    section: OPTIM,
  }),
  'eval-every': flag.int({
    min: 0,
    description:
      'Evaluate on the test set every N epochs (0: only after the last epoch, which is always evaluated)',
    defaultText: trainingDefaultText('evalEvery'),
    key: 'train.evalEvery',
    section: OPTIM,
  }),
  seed: flag.int({
    min: 0,
    max: MAX_SEED,
    description: 'One seed for weights, data order, augmentation, dropout and uniform sampling',
    default: 0,
    key: 'train.seed',
    reference: '--fix_seed',
    section: OPTIM,
  }),
};

/** Where the run goes, how long it runs, and how it is logged and parallelised. */
const RUN_FLAGS = {
  out: flag.string({
    description: 'Run folder (config.json, metrics.jsonl, checkpoints/, curves.svg, summary.svg)',
    defaultText: 'runs/<date>-<preset>',
    section: RUN,
  }),
  overwrite: flag.boolean({
    description:
      'Start a new run in an --out folder that already holds one: the old run is moved aside to <folder>.replaced-<date> (without this, such a folder is refused)',
    section: RUN,
  }),
  resume: flag.string({
    description:
      'Continue the run in this folder exactly from its last checkpoint (its config is used; --max-steps, --epochs and run flags may change)',
    section: RUN,
  }),
  load: flag.string({
    description:
      'Initialise the model from a checkpoint or a model file (folder or .json; the model config comes from it)',
    reference: '--model_load_path',
    section: RUN,
  }),
  'test-only': flag.boolean({
    description: 'Only evaluate (with --load) on the test set',
    section: RUN,
  }),
  'strict-equivariance': flag.boolean({
    description:
      'Refuse a model that is not exactly invariant to 90° rotations (an odd size at a 2×2 pool, a stride that does not tile the input, R not divisible by 4, no rotations); without it such sizes only warn',
    default: false,
    section: RUN,
  }),
  'max-steps': flag.int({
    min: 1,
    description: 'Stop after this many optimizer steps (then evaluate and checkpoint); for tests',
    defaultText: 'no limit',
    key: 'train.maxSteps',
    section: RUN,
  }),
  'checkpoint-every': flag.int({
    min: 0,
    description:
      'Also write the last checkpoint every N steps inside an epoch (0: only at epoch ends)',
    default: 200,
    key: 'train.checkpointEvery',
    section: RUN,
  }),
  workers: flag.int({
    min: 1,
    description:
      'Data-parallel training on this many threads (cpu and wasm backends; at most the cores available, os.availableParallelism()): this thread plus workers−1 worker threads, each with its own backend and model replica computing a contiguous shard of every batch; gradients are averaged. 1 = one thread, deterministic as always; with batch norm each shard uses its own batch statistics',
    default: 1,
    section: RUN,
  }),
  'accumulate-steps': flag.int({
    min: 1,
    description:
      "Split each thread's rows of a batch into N micro-batches and sum their gradients into one optimizer step (gradient accumulation: less memory, the same step for models without batch statistics; batch norm uses each micro-batch's statistics)",
    defaultText: '1, or as few as fit --memory-limit',
    key: 'train.accumulateSteps',
    section: RUN,
  }),
  memory: flag.choice(MEMORY_MODES, {
    description:
      "What a training step keeps for the backward pass: lean (every activation, freed as the backward walks back), checkpoint (only each block's input, its forward recomputed in the backward: less memory, about one more forward of compute), autodiff (tfjs as is, the most memory); auto: lean if the step fits --memory-limit, else checkpoint",
    defaultText: 'auto',
    key: 'train.memory',
    section: RUN,
  }),
  'memory-limit': flag.int({
    min: 1,
    description:
      'MiB one thread may use for a step (the plan of --memory and --accumulate-steps is made against it)',
    defaultText:
      "wasm: its 4 GiB heap per thread; cpu: the machine's memory / --workers; else none",
    section: RUN,
  }),
  'on-nonfinite': flag.choice(NONFINITE_POLICIES, {
    description:
      'A batch whose loss or gradients are NaN or infinite: stop (exit 1, nothing non-finite written, the last checkpoint stays the resume point) or skip (drop its update, count and report it; one device read per step)',
    default: 'stop',
    key: 'train.onNonFinite',
    section: RUN,
  }),
  'print-interval': flag.int({
    min: 1,
    description: 'Read the loss and write a metrics line every N steps',
    default: 10,
    key: 'train.printInterval',
    reference: '--print_interval',
    section: RUN,
  }),
};

/** Flags of `gcnn train`: model, data, optimization, run. */
export const TRAIN_FLAGS = {
  ...MODEL_FLAGS,
  ...DATA_FLAGS,
  ...OPTIMIZATION_FLAGS,
  ...RUN_FLAGS,
  ...COMMON_FLAGS,
};

/** The flags `--resume` accepts besides itself: it continues a run with that run's config. */
export const RESUME_FLAGS = [
  'backend',
  'gpu-adapter',
  'max-steps',
  'epochs',
  'print-interval',
  'checkpoint-every',
  'workers',
  'accumulate-steps',
  'memory',
  'memory-limit',
  'on-nonfinite',
] as const satisfies ReadonlyArray<keyof typeof TRAIN_FLAGS>;
