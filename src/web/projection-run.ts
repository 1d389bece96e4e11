/**
 * One projection on a worker thread (projection-worker.ts), so the server
 * keeps answering while a large map is computed: its progress, its result,
 * and new rows placed on the fitted map (PCA here, with the fitted axes;
 * UMAP by the worker, which keeps the fitted model until closed).
 */
import { Worker } from 'node:worker_threads';
import {
  pcaPlace,
  type Projection,
  type ProjectionMethod,
  type ProjectionProgress,
} from './projection.js';

/** What the projection worker receives. */
export interface ProjectionJob {
  rows: Float32Array;
  count: number;
  dim: number;
  method: ProjectionMethod;
  seed: number;
}

/** A request to a UMAP worker: rows to place on its map. */
export interface WorkerRequest {
  rows: Float32Array;
  count: number;
}

/** What the worker posts. */
export type WorkerReply =
  | { type: 'progress'; progress: ProjectionProgress }
  | { type: 'done'; projection: Projection }
  | { type: 'placed'; coords: Float32Array };

const WORKER_URL = new URL('./projection-worker.js', import.meta.url);

/** A projection computed on a worker thread; `close` ends it (and any placing) at any time. */
export class ProjectionRun {
  /** The fitted map; rejects if the run is closed or fails before it is done. */
  readonly result: Promise<Projection>;
  private worker: Worker | undefined;
  private readonly pending: Array<{
    resolve(coords: Float32Array): void;
    reject(error: Error): void;
  }> = [];
  private failure: Error | undefined;
  private rejectResult: (error: Error) => void = () => {};
  private readonly dim: number;

  constructor(job: ProjectionJob, onProgress: (progress: ProjectionProgress) => void) {
    this.dim = job.dim;
    const worker = new Worker(WORKER_URL, { workerData: job });
    this.worker = worker;
    this.result = new Promise<Projection>((resolve, reject) => {
      this.rejectResult = reject;
      let done = false;
      const fail = (error: Error): void => {
        this.failure ??= error;
        if (!done) reject(error);
        for (const waiting of this.pending.splice(0)) waiting.reject(error);
        this.worker = undefined;
      };
      worker.on('message', (reply: WorkerReply) => {
        if (reply.type === 'progress') onProgress(reply.progress);
        else if (reply.type === 'done') {
          done = true;
          resolve(reply.projection);
        } else this.pending.shift()?.resolve(reply.coords);
      });
      worker.once('error', fail);
      worker.once('exit', (code) => {
        // A PCA worker exits when done; that is no failure.
        if (!done || this.pending.length > 0)
          fail(new Error(`projection worker stopped with exit code ${code}`));
        this.worker = undefined;
      });
    });
    // Whoever awaits the result handles its rejection; this keeps an unawaited one quiet.
    this.result.catch(() => undefined);
  }

  /** Places `count` unit rows on the fitted map. */
  async place(rows: Float32Array, count: number): Promise<Float32Array> {
    const projection = await this.result;
    if (count === 0) return new Float32Array(0);
    if (projection.axes) return pcaPlace(projection.axes, rows, count, this.dim);
    const worker = this.worker;
    if (!worker) throw this.failure ?? new Error('the map is closed');
    return new Promise<Float32Array>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      worker.postMessage({ rows, count } satisfies WorkerRequest);
    });
  }

  /** Terminates the worker: a run under way rejects, a fitted UMAP map can no longer place rows. */
  close(): void {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    this.failure ??= new Error('projection cancelled');
    this.rejectResult(this.failure);
    for (const waiting of this.pending.splice(0)) waiting.reject(this.failure);
    void worker.terminate();
  }
}
