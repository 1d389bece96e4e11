/**
 * The filter of a large model, built on a worker thread over the kernel's
 * shared memory while queries go on scoring every row exactly: the worker
 * writes the int16 copies into the build's own room of the memory
 * (similarity-filter.ts) and hands back the rotation and error terms.
 */
import {
  MessageChannel,
  Worker,
  receiveMessageOnPort,
  type MessagePort,
} from 'node:worker_threads';
import type { FilterPlan, QueryFilter } from './similarity-filter.js';

const WORKER_URL = new URL('./filter-worker.js', import.meta.url);

/** What the filter's worker gets at start. */
export interface FilterWorkerSetup {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  plan: FilterPlan;
  /** 0 while it builds; 1 once its result is posted; -1 if it exited without one. */
  done: Int32Array;
  results: MessagePort;
}

/** The worker's answer: the filter's terms, or why the build failed. */
export interface FilterWorkerResult {
  filter?: QueryFilter;
  error?: string;
}

/** A filter being built on a worker thread. */
export class BackgroundFilter {
  private constructor(
    private readonly done: Int32Array,
    private readonly results: MessagePort,
  ) {}

  /** Starts building the filter of `plan` over `memory`; undefined if no worker can start. */
  static start(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    plan: FilterPlan,
  ): BackgroundFilter | undefined {
    const done = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    const setup: FilterWorkerSetup = { module, memory, plan, done, results: port1 };
    try {
      new Worker(WORKER_URL, { workerData: setup, transferList: [port1] }).unref();
    } catch {
      return undefined;
    }
    return new BackgroundFilter(done, port2);
  }

  /** Without waiting: the filter's terms once built, undefined while it builds, null if the build failed. */
  poll(): QueryFilter | null | undefined {
    if (Atomics.load(this.done, 0) === 0) return undefined;
    const result = receiveMessageOnPort(this.results)?.message as FilterWorkerResult | undefined;
    this.results.close();
    return result?.filter ?? null;
  }
}
