/**
 * WebGPU in Node through Dawn (the npm package `webgpu`, prebuilt dawn.node): sets up
 * `navigator.gpu` and the WebGPU globals that @tensorflow/tfjs-backend-webgpu expects, picks the
 * adapter, and explains what to install when Vulkan has no driver.
 */
import { BackendError } from './errors';
import { type BackendPackages, importBackendPackage, importOptional } from './optional-packages';

/** What the chosen adapter reports (GPUAdapterInfo), plus Dawn's adapter name. */
export interface GpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** The adapter name Dawn matches `adapter=` against, e.g. `NVIDIA H100 80GB HBM3`. */
  name?: string;
  /** Dawn's backend for it, e.g. `vulkan`. */
  dawnBackend?: string;
}

interface Dawn {
  create(flags: string[]): { requestAdapter(options?: unknown): Promise<unknown> };
  globals: Record<string, unknown>;
}

interface Adapter {
  info: { vendor: string; architecture: string; device: string; description: string };
}

/** One entry of Dawn's adapter list. */
export interface DawnAdapter {
  dawnBackend: string;
  name: string;
}

/** The `webgpu` npm package (Dawn; handed over in `packages` or imported), or a BackendError saying to install it. */
export async function loadDawn(packages?: BackendPackages): Promise<Dawn> {
  return importBackendPackage<Dawn>(
    'webgpu',
    'webgpu',
    ['webgpu@0.6.2', '@tensorflow/tfjs-backend-webgpu@4.22.0'],
    'the npm package webgpu (Dawn, WebGPU for Node)',
    packages,
  );
}

/**
 * Every adapter Dawn can see, in Dawn's order. Dawn has no listing API: asking for an adapter name
 * that matches nothing makes it throw "no suitable backends found / Available adapters: * backend:
 * 'vulkan', name: '...'" — that list is parsed. Empty when Vulkan finds no driver.
 */
export async function listDawnAdapters(dawn: Dawn): Promise<DawnAdapter[]> {
  try {
    const adapter = await dawn.create(['adapter=\u0001gcnn-list-adapters\u0001']).requestAdapter();
    if (adapter == null) return [];
  } catch (error) {
    const out: DawnAdapter[] = [];
    for (const m of String((error as Error).message).matchAll(
      /\* backend: '([^']*)', name: '([^']*)'/g,
    ))
      out.push({ dawnBackend: m[1]!, name: m[2]! });
    return out;
  }
  return [];
}

/** Where the Vulkan loader looks for drivers (ICD manifests), for the error message. */
async function vulkanSetup(env: Record<string, string | undefined>): Promise<string> {
  // Loaded lazily so this module stays importable by browser bundles.
  const { existsSync, readdirSync } = await importOptional<typeof import('node:fs')>('node:fs');
  const lines: string[] = [];
  const loader = [
    '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
    '/usr/lib/aarch64-linux-gnu/libvulkan.so.1',
    '/usr/lib64/libvulkan.so.1',
    '/usr/lib/libvulkan.so.1',
  ].find((p) => existsSync(p));
  lines.push(
    loader
      ? `  Vulkan loader: ${loader}`
      : '  Vulkan loader (libvulkan.so.1): not found in the usual places — Debian/Ubuntu: `apt-get install libvulkan1`',
  );
  const icdEnv = env.VK_ICD_FILENAMES ?? env.VK_DRIVER_FILES;
  const icdDirs = [
    '/usr/share/vulkan/icd.d',
    '/etc/vulkan/icd.d',
    '/usr/local/share/vulkan/icd.d',
    '/usr/local/nvidia/share/vulkan/icd.d',
  ];
  const found = icdDirs.flatMap((d) => {
    try {
      return readdirSync(d)
        .filter((f) => f.endsWith('.json'))
        .map((f) => `${d}/${f}`);
    } catch {
      return [];
    }
  });
  lines.push(
    icdEnv
      ? `  VK_ICD_FILENAMES/VK_DRIVER_FILES: ${icdEnv}${icdEnv.split(':').every((p) => existsSync(p)) ? '' : ' (a file listed does not exist)'}`
      : `  Vulkan drivers (ICD manifests) found: ${found.length > 0 ? found.join(', ') : 'none'}`,
  );
  return lines.join('\n');
}

/** The actionable part of every "no adapter" message. */
export async function vulkanHelp(env: Record<string, string | undefined>): Promise<string> {
  return [
    'Dawn (the webgpu package) runs WebGPU on Vulkan in Node. What it found:',
    await vulkanSetup(env),
    'To fix:',
    '  - Vulkan loader: `apt-get install libvulkan1` (Debian/Ubuntu).',
    '  - NVIDIA GPU: the driver ships the Vulkan ICD `nvidia_icd.json` (Debian: `apt-get install nvidia-driver nvidia-vulkan-icd`;',
    '    containers: the NVIDIA container toolkit with NVIDIA_DRIVER_CAPABILITIES including graphics). If the loader does',
    '    not find it, point at it: VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/nvidia_icd.json (or /etc/vulkan/icd.d/...).',
    "  - No GPU (software, slow): SwiftShader from Debian's chromium: `apt-get install chromium` and",
    '    VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json. (Mesa lavapipe 22 is rejected by Dawn.)',
    'Or pick another backend: --backend wasm (fastest on CPU) or cpu.',
  ].join('\n');
}

/**
 * Chooses among Dawn's adapters: a number is an index into {@link listDawnAdapters}' order; any
 * other text is a case-insensitive substring of the adapter name or Dawn backend (`nvidia`,
 * `swiftshader`, `vulkan`). Returns the exact adapter name to pass to Dawn as `adapter=`.
 */
export function pickDawnAdapter(adapters: readonly DawnAdapter[], spec: string): DawnAdapter {
  const listing = adapters.map((a, i) => `  [${i}] ${a.name} (${a.dawnBackend})`).join('\n');
  const s = spec.trim();
  if (/^\d+$/.test(s)) {
    const a = adapters[Number(s)];
    if (a) return a;
    throw new BackendError(
      `backend 'webgpu': GPU adapter index ${s} does not exist; adapters:\n${listing || '  (none)'}`,
      'webgpu',
    );
  }
  const lower = s.toLowerCase();
  const a = adapters.find(
    (x) => x.name.toLowerCase().includes(lower) || x.dawnBackend.toLowerCase() === lower,
  );
  if (a) return a;
  throw new BackendError(
    `backend 'webgpu': no GPU adapter matches '${s}' (give an index or a part of a name); adapters:\n${listing || '  (none)'}`,
    'webgpu',
  );
}

export interface NodeWebGpuOptions {
  /** Index or name substring; see {@link pickDawnAdapter}. Default: Dawn's first (high-performance) adapter. */
  gpuAdapter?: string;
  /** Extra Dawn flags (`create([...])`), e.g. `enable-dawn-features=...`. */
  dawnFlags?: readonly string[];
  env: Record<string, string | undefined>;
  /** The `webgpu` package, if the app handed it over (see `SelectBackendOptions.packages`). */
  packages?: BackendPackages;
}

/**
 * Installs `navigator.gpu` (Dawn) and the WebGPU globals so tfjs-backend-webgpu can initialise, and
 * returns the adapter tfjs will get (tfjs calls `navigator.gpu.requestAdapter()` itself; Dawn's
 * `adapter=` flag makes that the chosen one).
 */
export async function installNodeWebGpu(options: NodeWebGpuOptions): Promise<GpuAdapterInfo> {
  const dawn = await loadDawn(options.packages);
  const adapters = await listDawnAdapters(dawn);
  if (adapters.length === 0) {
    throw new BackendError(
      `backend 'webgpu': no WebGPU adapter found (Vulkan has no usable driver).\n${await vulkanHelp(options.env)}`,
      'webgpu',
    );
  }
  const chosen =
    options.gpuAdapter !== undefined && options.gpuAdapter !== ''
      ? pickDawnAdapter(adapters, options.gpuAdapter)
      : undefined;
  const flags = [...(chosen ? [`adapter=${chosen.name}`] : []), ...(options.dawnFlags ?? [])];
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create(flags);
  const nav = (globalThis as unknown as { navigator?: Record<string, unknown> }).navigator;
  if (nav && typeof nav === 'object' && !Object.isFrozen(nav)) {
    try {
      Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, writable: true });
    } catch {
      Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
    }
  } else {
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu },
      configurable: true,
      writable: true,
    });
  }
  const adapter = (await gpu.requestAdapter({ powerPreference: 'high-performance' })) as
    | Adapter
    | null
    | undefined;
  if (!adapter) {
    throw new BackendError(
      `backend 'webgpu': Dawn returned no adapter${chosen ? ` for '${chosen.name}'` : ''}.\n${await vulkanHelp(options.env)}`,
      'webgpu',
    );
  }
  const info = adapter.info;
  const named =
    chosen ??
    adapters.find((a) => info.description && a.name.includes(info.description)) ??
    (adapters.length === 1 ? adapters[0] : undefined);
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    ...(named ? { name: named.name, dawnBackend: named.dawnBackend } : {}),
  };
}

/**
 * Drops the reference to Dawn's `navigator.gpu`: while it is held, Node does not exit on its own
 * (Dawn keeps polling; see the webgpu package's README).
 */
export function releaseNodeWebGpu(): void {
  const nav = (globalThis as unknown as { navigator?: { gpu?: unknown } }).navigator;
  if (nav && 'gpu' in nav) {
    try {
      delete nav.gpu;
    } catch {
      // a read-only navigator (not ours): nothing to release
    }
  }
}
