import { readFileSync } from 'node:fs';

/** The exports of the AssemblyScript kernels (assembly/kernels.ts); pointers are byte offsets. */
export interface KernelExports {
  init(config: number, neu1: number, neu1e: number, sentence: number, outputs: number, window: number, hot: number, seed: bigint): void;
  trainChunk(words: number, n: number, alphaStart: number, alphaEnd: number): number;
  lastExamples(): number;
  trainPair(input: number, word: number, alpha: number): number;
  drawNoise(out: number, n: number): void;
  countKept(word: number, n: number): number;
  setSeed(seed: bigint): void;
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
      throw new Error(`the training kernels are not built (${WASM_URL.pathname}); run 'npm run build'`);
    }
    compiled = new WebAssembly.Module(new Uint8Array(bytes));
  }
  return compiled;
}

export function instantiateKernel(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as KernelExports;
}
