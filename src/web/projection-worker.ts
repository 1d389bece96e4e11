/**
 * Worker thread of {@link ProjectionRun}: computes one projection and posts
 * its progress and result. A PCA worker then exits; a UMAP worker stays to
 * place new rows on its map until it is terminated.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fitUmap, project } from './projection.js';
import type { ProjectionJob, WorkerReply, WorkerRequest } from './projection-run.js';

const job = workerData as ProjectionJob;
const port = parentPort!;
const post = (reply: WorkerReply, transfer: ArrayBuffer[] = []): void =>
  port.postMessage(reply, transfer);

if (job.method === 'pca') {
  const projection = await project(job.rows, job.count, job.dim, 'pca', job.seed);
  post({ type: 'done', projection }, [projection.coords.buffer as ArrayBuffer]);
  port.close();
} else {
  const fit = await fitUmap(job.rows, job.count, job.dim, job.seed, (progress) =>
    post({ type: 'progress', progress }),
  );
  const coords = fit.coords.slice();
  post({ type: 'done', projection: { method: 'umap', count: job.count, coords } }, [
    coords.buffer as ArrayBuffer,
  ]);
  port.on('message', (request: WorkerRequest) => {
    const placed = fit.place(request.rows, request.count);
    post({ type: 'placed', coords: placed }, [placed.buffer as ArrayBuffer]);
  });
}
