/**
 * The explorer's map jobs: projections of the most frequent words, computed
 * one at a time on a worker thread, cached (most recently used kept) and
 * cancelled when nobody waits for them any more.
 */
import type { KeyedVectors } from '../vectors/keyed-vectors.js';
import { writeUnitRows } from '../vectors/unit-rows.js';
import { HttpError } from './http.js';
import { projectInWorker, type Projection, type ProjectionMethod } from './projection.js';

/** Maps kept in memory, most recently used first. */
const MAP_CACHE_SIZE = 8;

/** A map of the first `count` words with the non-finite rows left out. */
export type MapResult = Projection & { seconds: number; words: string[]; leftOut: number };

/**
 * A map computed, under way or queued. It is cancelled when every request
 * that waited for it has gone before it was done.
 */
interface MapEntry {
  promise: Promise<MapResult>;
  /** Requests waiting for it now. */
  waiting: number;
  done: boolean;
  cancel: AbortController;
}

/** The maps of one set of vectors: cached, running or queued. */
export class MapJobs {
  private readonly maps = new Map<string, MapEntry>();
  /** Projections run one at a time, so two big maps do not starve the neighbour queries of CPU. */
  private projectionQueue: Promise<unknown> = Promise.resolve();
  /** Maps not done yet, cached or not, to cancel on close. */
  private readonly unfinished = new Set<MapEntry>();

  constructor(private readonly kv: KeyedVectors) {}

  /** Cancels running and queued projections. */
  close(): void {
    for (const entry of this.unfinished) entry.cancel.abort();
  }

  /**
   * The map of the first `count` words, from the cache or computed. A map
   * that every request waiting for it has left (`gone`) before it was done
   * is cancelled, so nobody's CPU goes to it.
   */
  async projection(method: ProjectionMethod, count: number, gone: AbortSignal): Promise<MapResult> {
    const key = `${method}:${count}`;
    let entry = this.maps.get(key);
    if (entry) {
      // Move to the most recent end.
      this.maps.delete(key);
      this.maps.set(key, entry);
    } else {
      entry = this.startProjection(key, method, count);
    }
    if (entry.done) return entry.promise;
    const waited = entry;
    waited.waiting++;
    const leave = (): void => {
      waited.waiting--;
      if (waited.waiting === 0 && !waited.done) {
        waited.cancel.abort();
        this.forget(key, waited);
      }
    };
    gone.addEventListener('abort', leave, { once: true });
    try {
      return await waited.promise;
    } catch (error) {
      if (waited.cancel.signal.aborted)
        throw new HttpError(
          503,
          'the map was cancelled: nobody waits for it or the server is stopping',
        );
      throw error;
    } finally {
      if (!gone.aborted) {
        gone.removeEventListener('abort', leave);
        waited.waiting--;
      }
    }
  }

  /**
   * Queues the projection of the first `count` words, leaving out rows with
   * NaN or infinite values (they have no place on a map, and UMAP cannot
   * handle them), and caches it under `key`. Projections run one at a time
   * on a worker thread.
   */
  private startProjection(key: string, method: ProjectionMethod, count: number): MapEntry {
    const { dim } = this.kv;
    const finiteRows: number[] = [];
    for (let row = 0; row < count; row++) if (this.kv.isFiniteRow(row)) finiteRows.push(row);
    // Only the mapped rows' unit vectors: a copy of the whole model's would be as large as the model.
    const rows = new Float32Array(finiteRows.length * dim);
    finiteRows.forEach((row, i) =>
      writeUnitRows(this.kv.row(row), dim, 0, 1, rows.subarray(i * dim), dim),
    );
    const words = finiteRows.map((row) => this.kv.words[row]!);
    const cancel = new AbortController();
    const run = async (): Promise<MapResult> => {
      const started = performance.now();
      const result = await projectInWorker(
        { rows, count: finiteRows.length, dim, method, seed: 1 },
        cancel.signal,
      );
      return {
        ...result,
        seconds: (performance.now() - started) / 1000,
        words,
        leftOut: count - finiteRows.length,
      };
    };
    const promise = this.projectionQueue.then(run, run);
    this.projectionQueue = promise.catch(() => undefined);
    const entry: MapEntry = { promise, waiting: 0, done: false, cancel };
    this.unfinished.add(entry);
    // Registered before any request awaits the promise, so `done` is set before they resume.
    promise.then(
      () => {
        entry.done = true;
        this.unfinished.delete(entry);
      },
      () => {
        entry.done = true;
        this.unfinished.delete(entry);
        this.forget(key, entry);
      },
    );
    this.maps.set(key, entry);
    while (this.maps.size > MAP_CACHE_SIZE) this.maps.delete(this.maps.keys().next().value!);
    return entry;
  }

  /** Drops `entry` from the cache, unless another map took its place. */
  private forget(key: string, entry: MapEntry): void {
    if (this.maps.get(key) === entry) this.maps.delete(key);
  }
}
