/**
 * Faulting in the pages of a large shared memory on a worker thread while
 * the calling thread fills it (see prefault-worker.ts). On a virtual machine
 * the first write to a page can cost several microseconds, more than copying
 * the page's values; a second thread takes part of that cost.
 */
import { Worker } from 'node:worker_threads';

/** Bytes [from, to) of a shared memory's buffer (from a multiple of 4). */
export interface PrefaultRegion {
  buffer: SharedArrayBuffer;
  from: number;
  to: number;
}

const WORKER_URL = new URL('./prefault-worker.js', import.meta.url);

/**
 * Starts touching the regions' pages on a worker thread, from the last
 * page of the last region back to the first, while the caller writes them
 * from the first on: the two meet in the middle instead of faulting the same
 * pages at once. The thread ends by itself; errors are ignored (this only
 * saves time).
 */
export function prefault(regions: readonly PrefaultRegion[]): void {
  try {
    const worker = new Worker(WORKER_URL, { workerData: regions });
    worker.unref();
    worker.on('error', () => {});
  } catch {
    // no worker: the writer takes the faults itself
  }
}
