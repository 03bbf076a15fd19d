/**
 * The kernel factorisations of the paper (Knigge et al. 2022), named as the reference's
 * `--implementation` (see docs/concepts/separability.md for how they relate to tfjs's
 * `separableConv2d`, which is depthwise + pointwise and something else):
 *
 * | name | kernel k_{o,c}(x, h) | computed as |
 * |---|---|---|
 * | `nonseparable` | k_{o,c}(x, h) | one dense conv over (C_in·G_in, k, k) |
 * | `separable` | k^H_{o,c}(h)·k^{R²}_o(x) | 1×1 group/channel mixing, then depthwise spatial conv |
 * | `gseparable` | k^H_{o,c}(h)·k^{R²}_{o,c}(x) | dense conv with the product kernel |
 * | `dseparable` | w_{o,c}·k_o(x, h) | channel projection, then a per-channel group conv |
 * | `dgseparable` | w_{o,c}·k^H_o(h)·k^{R²}_o(x) | projection, per-channel 1×1 group mixing, depthwise spatial conv |
 * | `separable+2d` | k^{SO2}_{o,c}(Δθ)·k^{R⁺}_o(Δln s)·k^{R²}_o(x) (Sim(2)) | rotation/channel mixing, per-channel scale mixing, depthwise spatial conv |
 * | `gseparable+2d` | k^{SO2}_{o,c}·k^{R⁺}_{o,c}·k^{R²}_{o,c} (Sim(2)) | rotation mixing, scale mixing, per-(o, c) depthwise spatial conv summed over c |
 */
export const IMPLEMENTATIONS = [
  'nonseparable',
  'separable',
  'gseparable',
  'dseparable',
  'dgseparable',
  'separable+2d',
  'gseparable+2d',
] as const;

export type Implementation = (typeof IMPLEMENTATIONS)[number];

/** Whether an implementation factors H = SO(2)×R⁺ into its two parts (Sim(2) only). */
export function isTwoSubgroup(implementation: Implementation): boolean {
  return implementation === 'separable+2d' || implementation === 'gseparable+2d';
}

export function checkImplementation(
  op: string,
  implementation: string,
  groupName: string,
): Implementation {
  if (!(IMPLEMENTATIONS as readonly string[]).includes(implementation)) {
    throw new Error(
      `Error in ${op}: implementation must be one of ${IMPLEMENTATIONS.join(', ')}, got '${implementation}'`,
    );
  }
  const impl = implementation as Implementation;
  if (isTwoSubgroup(impl) && groupName !== 'Sim2') {
    throw new Error(
      `Error in ${op}: implementation '${impl}' factors SO(2)×R⁺ and needs group 'Sim2', got '${groupName}'`,
    );
  }
  return impl;
}
