// Touches every page of the given regions of shared memories, so that the
// thread writing a large model into them (a loader) finds its pages already
// mapped: the first write to a page costs the kernel a fault, which this
// thread takes on another core. An atomic OR with 0 changes nothing, so it
// is safe beside the writer.
import { workerData } from 'node:worker_threads';
import type { PrefaultRegion } from './prefault.js';

const PAGE_BYTES = 4096;

for (const { buffer, from, to } of workerData as PrefaultRegion[]) {
  const words = new Int32Array(buffer);
  for (let at = from; at < to; at += PAGE_BYTES) Atomics.or(words, at >> 2, 0);
}
