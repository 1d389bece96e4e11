/**
 * Faulting in the pages of a large shared memory on a worker thread while
 * the calling thread fills it (see prefault-worker.ts).
 */
import { Worker } from 'node:worker_threads';

/** Bytes [from, to) of a shared memory's buffer (from a multiple of 4). */
export interface PrefaultRegion {
  buffer: SharedArrayBuffer;
  from: number;
  to: number;
}

const WORKER_URL = new URL('./prefault-worker.js', import.meta.url);

/** Starts touching the regions' pages on a worker thread, in order; it ends by itself (errors are ignored: this only saves time). */
export function prefault(regions: readonly PrefaultRegion[]): void {
  try {
    const worker = new Worker(WORKER_URL, { workerData: regions });
    worker.unref();
    worker.on('error', () => {});
  } catch {
    // no worker: the writer takes the faults itself
  }
}
