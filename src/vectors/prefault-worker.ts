// Touches every page of the given regions of shared memories, last first
// (see prefault.ts). An atomic OR with 0 changes nothing, so it is safe
// beside the thread writing the same memory.
import { workerData } from 'node:worker_threads';
import type { PrefaultRegion } from './prefault.js';

const PAGE_BYTES = 4096;

const regions = workerData as PrefaultRegion[];
for (let r = regions.length - 1; r >= 0; r--) {
  const { buffer, from, to } = regions[r]!;
  const words = new Int32Array(buffer);
  const last = from + Math.floor((to - 1 - from) / PAGE_BYTES) * PAGE_BYTES;
  for (let at = last; at >= from; at -= PAGE_BYTES) Atomics.or(words, at >> 2, 0);
}
