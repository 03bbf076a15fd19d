/** Input and output size of one kernel net and the fan-in its final layer is initialised with. */
export interface KernelNetSpec {
  inputDim: number;
  outputDim: number;
  /** fan-in of the reference's final-layer init, `inChannels·ks²` (reference §3.5, §9.10). */
  finalFanIn: number;
}

export type KernelNetRole = 'kernel' | 'kernelH' | 'kernelRn' | 'kernelSO2' | 'kernelRplus';

/** The kernel nets of a conv by role, with their sizes. */
export type KernelNetSpecs = Partial<Record<KernelNetRole, KernelNetSpec>>;

/** The kernel nets of a lifting conv: one, 2 → Cout·Cin. */
export function liftingNetSpecs(cin: number, cout: number, k: number): KernelNetSpecs {
  return { kernel: { inputDim: 2, outputDim: cout * cin, finalFanIn: cin * k * k } };
}
