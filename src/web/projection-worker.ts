/** Worker thread for {@link projectInWorker}: computes one projection, posts it and exits. */
import { parentPort, workerData } from 'node:worker_threads';
import { project, type ProjectionJob } from './projection.js';

const job = workerData as ProjectionJob;
const result = await project(job.rows, job.count, job.dim, job.method, job.seed);
parentPort?.postMessage(result, [result.coords.buffer as ArrayBuffer]);
