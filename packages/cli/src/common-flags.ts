/**
 * @file Flags that several commands share: the backend (every command), help, and which saved
 * checkpoint to read (evaluate, export).
 */
import { CHECKPOINT_KINDS } from '@gcnn/training';
import { BACKEND_NAMES } from './backend';
import { flag } from './flag-spec';

const RUN = 'Run';

/** `--backend` (default wasm; `info` and `visualize` default to cpu with `withDefault`). */
export const BACKEND_FLAG = flag.choice(BACKEND_NAMES, {
  description:
    'tfjs backend: wasm (SIMD + @gcnn/tfjs-wasm-training kernels, fastest on CPU), cpu (plain JS), webgpu (needs the npm packages webgpu and @tensorflow/tfjs-backend-webgpu), tensorflow (needs @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node), webgl (browsers only)',
  default: 'wasm',
  section: RUN,
});

/** `--gpu-adapter`: which GPU adapter `--backend webgpu` uses in Node. */
export const GPU_ADAPTER_FLAG = flag.string({
  description:
    "webgpu in Node: the GPU adapter, as an index into Dawn's adapter list or part of its name (e.g. 0, nvidia, H100, swiftshader); an unknown name lists the adapters",
  defaultText: 'GCNN_GPU_ADAPTER, else the first adapter',
  section: RUN,
});

/** `--help`. */
export const HELP_FLAG = flag.boolean({
  aliases: ['h'],
  description: 'Show this help',
  section: RUN,
});

/** `--backend`, `--gpu-adapter`, `--help`: the flags every command ends with. */
export const COMMON_FLAGS = {
  backend: BACKEND_FLAG,
  'gpu-adapter': GPU_ADAPTER_FLAG,
  help: HELP_FLAG,
};

/** `--checkpoint` and `--kind`: which saved checkpoint a command reads (evaluate, export). */
export const CHECKPOINT_FLAGS = {
  checkpoint: flag.string({
    description:
      'A run folder (its best checkpoint, else last), a checkpoints/ folder, a checkpoint .json, or a model file (.json of gcnn export / gcnn import-torch, or its folder)',
  }),
  kind: flag.choice(CHECKPOINT_KINDS, {
    description: 'Which checkpoint of a folder',
    default: 'best',
  }),
};
