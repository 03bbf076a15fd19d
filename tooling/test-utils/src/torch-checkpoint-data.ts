/**
 * Types of the PyTorch checkpoint fixtures (`fixtures/torch-checkpoints/`), shared by the Node
 * loader (torch-checkpoints.ts) and the browser loader (torch-checkpoints.browser.ts). Nothing here
 * may import a `node:*` module.
 */

/** `<name>.expected.json`: the model config (reference names), an input and the reference's logits. */
export interface TorchCheckpointExpected {
  name: string;
  /** The reference's hyperparameters (`group`, `max_scale`, `num_group_elem`, …) the checkpoint was built with. */
  config: Record<string, unknown>;
  /** `[N, Cin, H, W]`, row-major. */
  input: { shape: number[]; values: number[] };
  /** The eval-mode logits of the checkpoint on `input`, `[N, classes]`. */
  logits: { shape: number[]; values: number[] };
  /** The checkpoint files of this network (`<name>.pt`, and `<name>.state_dict.pt` where saved). */
  files?: string[];
  n_params?: number;
}

/**
 * Every network of the fixtures: the four small CKGResNets, the README-size one, and three that
 * cover the other architectures and options (CK-G-CNN, CK-G-All-CNN-C, R²⋊R⁺ with dropout).
 */
export const TORCH_CHECKPOINT_NAMES = [
  'se2_ckgresnet_nonseparable',
  'se2_ckgresnet_separable',
  'sim2_ckgresnet_separable2d',
  'sim2_ckgresnet_nonseparable',
  'se2_separable_readme',
  'r2xrplus_ckgresnet_dseparable',
  'se2_ckgcnn_gseparable',
  'sim2_ckgallcnnc_separable2d',
] as const;
