// A thread that builds a scorer's filter over its shared memory (see
// filter-build.ts), posts the filter's terms, and ends.
import { workerData } from 'node:worker_threads';
import type { FilterWorkerResult, FilterWorkerSetup } from './filter-build.js';
import { buildFilter } from './similarity-filter.js';
import type { SimilarityExports } from './similarity-kernel.js';

const { module, memory, plan, done, results } = workerData as FilterWorkerSetup;
process.on('exit', () => Atomics.compareExchange(done, 0, 0, -1));
const result: FilterWorkerResult = {};
try {
  const exports = new WebAssembly.Instance(module, { env: { memory } })
    .exports as unknown as SimilarityExports;
  result.filter = buildFilter(exports, plan);
} catch (error) {
  result.error = String(error);
}
results.postMessage(result);
Atomics.store(done, 0, 1);
