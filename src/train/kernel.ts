import { readFileSync } from 'node:fs';

/** Where one worker's scratch space is. */
export interface ThreadScratch {
  neu1: number;
  neu1e: number;
  sentence: number;
  /** One example's output units: (row pointer, label) pairs. */
  outputs: number;
  /** A window's context pointers and error vectors (skip-gram with shared outputs) or ring of positions (subword CBOW), and the output units' gradients. */
  window: number;
  /** Private copies of the hottest output rows and their state at the last merge. */
  hot: number;
  chunk: number;
  seed: bigint;
}

/** The exports of the AssemblyScript kernels (assembly/kernels.ts); pointers are byte offsets. */
export interface KernelExports {
  init(
    config: number,
    neu1: number,
    neu1e: number,
    sentence: number,
    outputs: number,
    window: number,
    hot: number,
    state: bigint,
  ): void;
  trainChunk(words: number, n: number, alphaStart: number, alphaEnd: number): number;
  lastExamples(): number;
  trainPair(input: number, word: number, alpha: number): number;
  drawNoise(out: number, n: number): void;
  countKept(word: number, n: number): number;
  rngState(): bigint;
  setRngState(state: bigint): void;
}

/** The kernels built for a 32-bit memory, and for a 64-bit one (models past 4 GiB). */
const WASM_URLS = {
  memory32: new URL('../../../build/kernels.wasm', import.meta.url),
  memory64: new URL('../../../build/kernels64.wasm', import.meta.url),
};
const compiled = new Map<URL, WebAssembly.Module>();

/** The compiled kernel module for a 32-bit or a 64-bit memory, shared by the main thread and the workers. */
export function kernelModule(memory64 = false): WebAssembly.Module {
  const url = memory64 ? WASM_URLS.memory64 : WASM_URLS.memory32;
  let module = compiled.get(url);
  if (!module) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(url);
    } catch {
      throw new Error(`the training kernels are not built (${url.pathname}); run 'npm run build'`);
    }
    module = new WebAssembly.Module(new Uint8Array(bytes));
    compiled.set(url, module);
  }
  return module;
}

export function instantiateKernel(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
): KernelExports {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as KernelExports;
}

/** A kernel instance on `memory` for one thread: its scratch set, its random generator at `state`. */
export function startKernel(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  config: number,
  scratch: ThreadScratch,
  state: bigint,
): KernelExports {
  const kernel = instantiateKernel(module, memory);
  kernel.init(
    config,
    scratch.neu1,
    scratch.neu1e,
    scratch.sentence,
    scratch.outputs,
    scratch.window,
    scratch.hot,
    state,
  );
  return kernel;
}

/** The state the kernels' xorshift64* generator starts from for a seed (never 0, where it would stay). */
export function seededRandomState(seed: bigint): bigint {
  const golden = 0x9e3779b97f4a7c15n;
  const state = BigInt.asUintN(64, seed ^ golden);
  return state === 0n ? golden : state;
}
