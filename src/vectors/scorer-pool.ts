/**
 * How a large batch of top-n queries is split between threads: the calling
 * thread and worker threads (scorer-worker.ts) take pieces of it over the
 * kernel's shared memory until none is left, each filling its queries'
 * heaps there.
 */
import { availableParallelism } from 'node:os';
import {
  receiveMessageOnPort,
  MessageChannel,
  Worker,
  type MessagePort,
} from 'node:worker_threads';
import { QUERY_CHUNK } from './scorer.js';
import {
  filterTiles,
  loadFilterQueries,
  type FilterLayout,
  type FilterScratch,
  type QueryFilter,
} from './similarity-filter.js';
import { similarityModule, type SimilarityExports } from './similarity-kernel.js';

/** A batch is split between threads from this many queries on, if it also has this many (row, query) pairs. */
const PARALLEL_QUERIES = 64;
const PARALLEL_WORK = 1 << 21;
/** At most this many worker threads per scorer. */
const MAX_WORKERS = 7;
/** How long to wait for a worker to start. */
const WORKER_TIMEOUT_MS = 10_000;
const WORKER_URL = new URL('./scorer-worker.js', import.meta.url);

/**
 * How a batch is split between threads. A piece is filtered rows outermost,
 * so a block of rows, once read, serves every query of the piece; the
 * smaller the piece, the more often the rows are read, and the slower
 * each query (by a third in pieces of about a hundred). So each thread first takes FIRST_SHARE of an equal share, and the
 * rest goes, in pieces of each thread's share of what is left (shrinking
 * to MIN_PIECE), to whichever thread is free, so that threads finish
 * together even if one started late or ran slower. Pieces are even (pairs
 * are the kernel's unit).
 */
const FIRST_SHARE = 7 / 8;
const MIN_PIECE = 8;
const MAX_PIECE = 8 * QUERY_CHUNK;

/** What a similarity worker gets at start. */
export interface WorkerSetup {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  scratch: FilterScratch;
  /** The count of pieces taken, then per worker: 0 while it works, 1 once it is ready or has finished, -1 once it has exited. */
  signals: Int32Array;
  /** Its slot in `signals`. */
  signal: number;
  /** Where it reports how a batch went (read by the main thread with receiveMessageOnPort). */
  results: MessagePort;
}

/** A batch of loaded queries [0, ends.length), for every thread that filters pieces of it. */
export interface FilterBatch {
  /** How many threads share it. */
  threads: number;
  layout: FilterLayout;
  filter: QueryFilter;
  ends: Int32Array;
}

/** A worker's answer to a batch: nothing (its queries' heaps are in the shared memory), or why it failed. */
export interface FilterResult {
  error?: string;
}

/**
 * Takes pieces of the batch (`next[0]` counts the queries taken, across
 * threads) until none is left, loads each for the filter and fills its
 * queries' heaps in the kernel's memory.
 */
export function filterPieces(
  exports: SimilarityExports,
  scratch: FilterScratch,
  batch: FilterBatch,
  next: Int32Array,
): void {
  const { threads, ends } = batch;
  const count = ends.length;
  const even = (x: number): number => Math.ceil(x / 2) * 2;
  const firstPiece = Math.min(MAX_PIECE, even((count / threads) * FIRST_SHARE));
  for (;;) {
    const taken = Atomics.load(next, 0);
    const size =
      taken + firstPiece <= firstPiece * threads
        ? firstPiece
        : Math.min(MAX_PIECE, Math.max(MIN_PIECE, even((count - taken) / threads)));
    const first = Atomics.add(next, 0, size);
    if (first >= count) return;
    const last = Math.min(count, first + size);
    loadFilterQueries(exports, batch.layout, scratch, batch.filter, ends, first, last);
    filterTiles(exports, batch.layout, scratch, first, ends.subarray(first, last));
  }
}

interface PoolWorker {
  thread: Worker;
  results: MessagePort;
  /** Its slot in the pool's signals. */
  signal: number;
}

interface ThreadPool {
  workers: PoolWorker[];
  /** The count of pieces taken, then one signal per worker (see WorkerSetup). */
  signals: Int32Array;
}

/** Stops a pool's workers once the pool (and so its scorer) is garbage: they hold its memory. */
const poolRegistry = new FinalizationRegistry<Worker[]>((threads) => {
  for (const thread of threads) void thread.terminate();
});

/** How many worker threads a scorer can have: one per other core, up to MAX_WORKERS. */
export function workerCount(): number {
  return Math.min(MAX_WORKERS, availableParallelism() - 1);
}

/**
 * The threads that filter a scorer's batches: the calling thread, and for a
 * large batch the worker threads, started on first use, each with its own
 * buffers in the kernel's memory.
 */
export class ScorerPool {
  /** The worker threads once started; null if they cannot be. */
  private started: ThreadPool | null | undefined;
  /** Counts the queries taken from a batch when this thread filters it alone (see filterPieces). */
  private readonly taken = new Int32Array(1);

  constructor(
    private readonly exports: SimilarityExports,
    /** This thread's buffers for the filter, and each worker's. */
    private readonly scratch: FilterScratch,
    private readonly workerScratch: FilterScratch[],
  ) {}

  /** How many threads filter a batch of `count` queries over `size` rows: 1, or more if it is large enough and the workers can start. */
  threadsFor(count: number, size: number): number {
    const pool =
      count >= PARALLEL_QUERIES && count * size >= PARALLEL_WORK ? this.workerPool() : undefined;
    return 1 + (pool?.workers.length ?? 0);
  }

  /** Fills the heaps of a loaded batch on its `threads` (as {@link ScorerPool.threadsFor} gave). */
  filter(batch: FilterBatch): void {
    if (batch.threads > 1) {
      this.filterOnPool(this.started!, batch);
    } else {
      Atomics.store(this.taken, 0, 0);
      filterPieces(this.exports, this.scratch, batch, this.taken);
    }
  }

  /**
   * Starts a small batch on one worker thread alone, so that this thread
   * can filter another shard meanwhile; the function returned waits for it.
   * Undefined if there is no worker.
   */
  startOnWorker(batch: FilterBatch): (() => void) | undefined {
    const pool = this.workerPool();
    const worker = pool?.workers[0];
    if (!pool || !worker) return undefined;
    const { signals } = pool;
    Atomics.store(signals, 0, 0);
    Atomics.store(signals, worker.signal, 0);
    worker.thread.postMessage({ ...batch, threads: 1 });
    return () => this.awaitWorkers(pool, [worker]);
  }

  /** Filters a batch on this thread and the workers together; returns once every worker has finished. */
  private filterOnPool(pool: ThreadPool, batch: FilterBatch): void {
    const { workers, signals } = pool;
    // Every thread, this one included, takes pieces of the batch until none is left (so a thread that starts late takes less).
    const next = signals.subarray(0, 1);
    Atomics.store(next, 0, 0);
    for (const worker of workers) {
      Atomics.store(signals, worker.signal, 0);
      worker.thread.postMessage(batch);
    }
    filterPieces(this.exports, this.scratch, batch, next);
    this.awaitWorkers(pool, workers);
  }

  /** Waits until each of `workers` has finished its share of a batch. @throws if one failed or exited. */
  private awaitWorkers(pool: ThreadPool, workers: readonly PoolWorker[]): void {
    const { signals } = pool;
    let failure: string | undefined;
    for (const worker of workers) {
      // The worker sets its signal to 1 when it has finished, or to -1 if it exits.
      Atomics.wait(signals, worker.signal, 0);
      if (Atomics.load(signals, worker.signal) < 0) {
        this.stopThreads();
        throw new Error('a similarity worker exited before finishing its share of a batch');
      }
      const message = receiveMessageOnPort(worker.results)?.message as FilterResult | undefined;
      failure ??= message ? message.error : 'no answer';
    }
    if (failure !== undefined) throw new Error(`a similarity worker failed: ${failure}`);
  }

  /** Stops the workers (after one failed); later batches run on the calling thread. */
  private stopThreads(): void {
    for (const worker of this.started?.workers ?? []) void worker.thread.terminate();
    this.started = null;
  }

  /** The worker threads, started on first use; undefined if there is no other core or they cannot start. */
  private workerPool(): ThreadPool | undefined {
    if (this.started !== undefined) return this.started ?? undefined;
    this.started = null;
    if (this.workerScratch.length === 0) return undefined;
    const module = similarityModule();
    if (!module) return undefined;
    const signals = new Int32Array(new SharedArrayBuffer(4 * (1 + this.workerScratch.length)));
    const workers = this.workerScratch.map((scratch, index): PoolWorker => {
      const { port1, port2 } = new MessageChannel();
      const signal = 1 + index;
      const setup: WorkerSetup = {
        module,
        memory: this.exports.memory,
        scratch,
        signals,
        signal,
        results: port1,
      };
      const thread = new Worker(WORKER_URL, { workerData: setup, transferList: [port1] });
      thread.unref();
      return { thread, results: port2, signal };
    });
    // Each worker sets its signal to 1 once it is ready (-1 if it exits first).
    const ready = workers.every((worker) => {
      Atomics.wait(signals, worker.signal, 0, WORKER_TIMEOUT_MS);
      return Atomics.load(signals, worker.signal) === 1;
    });
    if (!ready) {
      for (const worker of workers) void worker.thread.terminate();
      return undefined;
    }
    this.started = { workers, signals };
    const threads = workers.map((worker) => worker.thread);
    poolRegistry.register(this, threads);
    return this.started;
  }
}
