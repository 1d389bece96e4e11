// A similarity thread: takes pieces of a large query batch over the
// scorer's shared kernel memory (rows, filter, loaded queries and their
// heaps are the main thread's), and signals when it is done.
import { workerData, parentPort } from 'node:worker_threads';
import {
  filterPieces,
  type FilterBatch,
  type FilterResult,
  type WorkerSetup,
} from './scorer-pool.js';
import type { SimilarityExports } from './similarity-kernel.js';

const setup = workerData as WorkerSetup;
const exports = new WebAssembly.Instance(setup.module, { env: { memory: setup.memory } })
  .exports as unknown as SimilarityExports;
const { signals, signal, results } = setup;
const next = signals.subarray(0, 1);

function raise(value: number): void {
  Atomics.store(signals, signal, value);
  Atomics.notify(signals, signal);
}

parentPort!.on('message', (batch: FilterBatch) => {
  const result: FilterResult = {};
  try {
    filterPieces(exports, setup.scratch, batch, next);
  } catch (error) {
    result.error = String(error);
  }
  results.postMessage(result);
  raise(1);
});
process.on('exit', () => raise(-1));
raise(1); // ready
