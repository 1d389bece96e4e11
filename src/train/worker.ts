// A training thread: owns one kernel instance over the shared model memory
// and trains the chunks the main thread sends, in order.
import { parentPort, workerData } from 'node:worker_threads';
import { decodeVarints } from '../corpus/encoded.js';
import { startKernel, type ThreadScratch } from './kernel.js';

export interface WorkerSetup {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  config: number;
  scratch: ThreadScratch;
  /** The kernel's random state to start from (a checkpoint's, or the one its seed gives). */
  randomState: bigint;
}

export interface ChunkMessage {
  /** int32 entries, or the cache's varint-coded bytes. */
  ids: Int32Array | Uint8Array;
  alphaStart: number;
  alphaEnd: number;
}

export interface ChunkResult {
  loss: number;
  examples: number;
  /** The kernel's random state after the chunk, for checkpoints. */
  randomState: bigint;
  /** Seconds this thread spent on the chunk (decoding and training): with the run's time, how busy the thread was. */
  busySeconds: number;
}

const setup = workerData as WorkerSetup;
const { scratch } = setup;
const kernel = startKernel(setup.module, setup.memory, setup.config, scratch, setup.randomState);
const heap = new Int32Array(setup.memory.buffer);
const port = parentPort!;

port.on('message', (message: ChunkMessage) => {
  const started = performance.now();
  let entries = message.ids.length;
  if (message.ids instanceof Uint8Array)
    entries = decodeVarints(message.ids, heap, scratch.chunk >> 2);
  else heap.set(message.ids, scratch.chunk >> 2);
  const loss = kernel.trainChunk(scratch.chunk, entries, message.alphaStart, message.alphaEnd);
  const result: ChunkResult = {
    loss,
    examples: kernel.lastExamples(),
    randomState: kernel.rngState(),
    busySeconds: (performance.now() - started) / 1000,
  };
  port.postMessage(result);
});
