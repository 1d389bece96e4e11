import { readFileSync } from 'node:fs';

/** Where one worker's scratch space is. */
export interface ThreadScratch {
  neu1: number;
  neu1e: number;
  sentence: number;
  /** One example's output units: (row pointer, label) pairs. */
  outputs: number;
  /** A window's context pointers and error vectors (skip-gram with shared outputs), and the output units' gradients. */
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

const WASM_URL = new URL('../../../build/kernels.wasm', import.meta.url);
let compiled: WebAssembly.Module | undefined;

/** The compiled kernel module, shared by the main thread and the workers. */
export function kernelModule(): WebAssembly.Module {
  if (!compiled) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(WASM_URL);
    } catch {
      throw new Error(
        `the training kernels are not built (${WASM_URL.pathname}); run 'npm run build'`,
      );
    }
    compiled = new WebAssembly.Module(new Uint8Array(bytes));
  }
  return compiled;
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
