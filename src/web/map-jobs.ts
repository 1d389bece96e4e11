/**
 * The explorer's map jobs: projections of the most frequent words, computed
 * one at a time on a worker thread, cached (most recently used kept) and
 * cancelled when nobody waits for them any more; and other words placed on
 * a cached map with the same projection.
 */
import type { KeyedVectors } from '../vectors/keyed-vectors.js';
import { writeUnitRows } from '../vectors/unit-rows.js';
import { HttpError } from './http.js';
import type { Projection, ProjectionMethod, ProjectionProgress } from './projection.js';
import { ProjectionRun } from './projection-run.js';

/** Maps kept in memory, most recently used first. */
const MAP_CACHE_SIZE = 8;
/** UMAP maps kept: each keeps its worker thread (and fitted model) to place words on it. */
const UMAP_CACHE_SIZE = 2;

/** A map of the first `count` words with the non-finite rows left out. */
export type MapResult = Projection & { seconds: number; words: string[]; leftOut: number };

/** Words placed on a map: their coordinates, and those left out for NaN or infinite values. */
export interface Placement {
  words: string[];
  coords: Float32Array;
  leftOut: string[];
}

/**
 * A map computed, under way or queued. It is cancelled when every request
 * that waited for it has gone before it was done.
 */
interface MapEntry {
  method: ProjectionMethod;
  promise: Promise<MapResult>;
  /** Requests waiting for it now. */
  waiting: number;
  done: boolean;
  cancel: AbortController;
  /** The run on its worker, once started. */
  run?: ProjectionRun;
  /** The map's rows: their place in its words. */
  position: Map<number, number>;
  progress: ProjectionProgress;
  listeners: Set<(progress: ProjectionProgress) => void>;
}

/** The maps of one set of vectors: cached, running or queued. */
export class MapJobs {
  private readonly maps = new Map<string, MapEntry>();
  /** Projections run one at a time, so two big maps do not starve the neighbour queries of CPU. */
  private projectionQueue: Promise<unknown> = Promise.resolve();
  /** Maps not done yet, cached or not, to cancel on close. */
  private readonly unfinished = new Set<MapEntry>();

  constructor(private readonly kv: KeyedVectors) {}

  /** Cancels running and queued projections and ends the UMAP workers. */
  close(): void {
    for (const entry of this.unfinished) entry.cancel.abort();
    for (const entry of this.maps.values()) entry.run?.close();
  }

  /**
   * The map of the first `count` words, from the cache or computed. A map
   * that every request waiting for it has left (`gone`) before it was done
   * is cancelled, so nobody's CPU goes to it. `onProgress` hears how far it
   * has come (at once, then as it goes on).
   */
  async projection(
    method: ProjectionMethod,
    count: number,
    gone: AbortSignal,
    onProgress?: (progress: ProjectionProgress) => void,
  ): Promise<MapResult> {
    return (await this.entry(method, count, gone, onProgress)).promise;
  }

  /**
   * Places the words of `rows` on the map of the first `count` words: a
   * word of the map keeps its point; any other is projected as the map's
   * words were (PCA: the fitted axes; UMAP: umap-js's transform).
   */
  async place(
    method: ProjectionMethod,
    count: number,
    rows: readonly number[],
    gone: AbortSignal,
  ): Promise<Placement> {
    const entry = await this.entry(method, count, gone);
    const map = await entry.promise;
    const { dim } = this.kv;
    const words: string[] = [];
    const leftOut: string[] = [];
    /** Each placed word's point: its own on the map (>= 0), or the -1 - i'th of those projected now. */
    const source: number[] = [];
    const others: number[] = [];
    for (const row of new Set(rows)) {
      const word = this.kv.words[row]!;
      if (!this.kv.isFiniteRow(row)) {
        leftOut.push(word);
        continue;
      }
      const at = entry.position.get(row);
      source.push(at ?? -1 - others.length);
      if (at === undefined) others.push(row);
      words.push(word);
    }
    const unit = new Float32Array(others.length * dim);
    others.forEach((row, i) =>
      writeUnitRows(this.kv.row(row), dim, 0, 1, unit.subarray(i * dim), dim),
    );
    let placed: Float32Array;
    try {
      placed = await entry.run!.place(unit, others.length);
    } catch {
      throw new HttpError(503, 'the map was dropped to make room for others; draw it again');
    }
    const coords = new Float32Array(2 * words.length);
    source.forEach((at, i) => {
      const [from, j] = at >= 0 ? [map.coords, at] : [placed, -1 - at];
      coords[2 * i] = from[2 * j]!;
      coords[2 * i + 1] = from[2 * j + 1]!;
    });
    return { words, coords, leftOut };
  }

  /** The cache entry of a map, waited for until it is done (or `gone`). */
  private async entry(
    method: ProjectionMethod,
    count: number,
    gone: AbortSignal,
    onProgress?: (progress: ProjectionProgress) => void,
  ): Promise<MapEntry> {
    const key = `${method}:${count}`;
    let entry = this.maps.get(key);
    if (entry) {
      // Move to the most recent end.
      this.maps.delete(key);
      this.maps.set(key, entry);
    } else {
      entry = this.startProjection(key, method, count);
    }
    if (entry.done) {
      await entry.promise;
      return entry;
    }
    const waited = entry;
    waited.waiting++;
    if (onProgress) {
      waited.listeners.add(onProgress);
      // Where it is now, once a projection that was queued behind nothing has started.
      setImmediate(() => {
        if (waited.listeners.has(onProgress)) onProgress(waited.progress);
      });
    }
    const leave = (): void => {
      waited.waiting--;
      if (waited.waiting === 0 && !waited.done) {
        waited.cancel.abort();
        this.forget(key, waited);
      }
    };
    gone.addEventListener('abort', leave, { once: true });
    try {
      await waited.promise;
      return waited;
    } catch (error) {
      if (waited.cancel.signal.aborted)
        throw new HttpError(
          503,
          'the map was cancelled: nobody waits for it or the server is stopping',
        );
      throw error;
    } finally {
      if (onProgress) waited.listeners.delete(onProgress);
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
    const listeners = new Set<(progress: ProjectionProgress) => void>();
    const report = (progress: ProjectionProgress): void => {
      entry.progress = progress;
      for (const listener of listeners) listener(progress);
    };
    const run = async (): Promise<MapResult> => {
      if (cancel.signal.aborted) throw new Error('projection cancelled');
      report({ stage: 'started', done: 0, total: 0 });
      const started = performance.now();
      const projection = new ProjectionRun(
        { rows, count: finiteRows.length, dim, method, seed: 1 },
        report,
      );
      entry.run = projection;
      cancel.signal.addEventListener('abort', () => projection.close(), { once: true });
      const result = await projection.result;
      return {
        ...result,
        seconds: (performance.now() - started) / 1000,
        words,
        leftOut: count - finiteRows.length,
      };
    };
    const promise = this.projectionQueue.then(run, run);
    this.projectionQueue = promise.catch(() => undefined);
    const entry: MapEntry = {
      method,
      promise,
      waiting: 0,
      done: false,
      cancel,
      position: new Map(finiteRows.map((row, i) => [row, i])),
      progress: { stage: 'queued', done: 0, total: 0 },
      listeners,
    };
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
    this.evict();
    return entry;
  }

  /** Keeps at most MAP_CACHE_SIZE maps, UMAP_CACHE_SIZE of them UMAP, dropping the least recently used. */
  private evict(): void {
    const umap = [...this.maps].filter(([, entry]) => entry.method === 'umap');
    for (const [key, entry] of umap.slice(0, Math.max(0, umap.length - UMAP_CACHE_SIZE)))
      this.drop(key, entry);
    while (this.maps.size > MAP_CACHE_SIZE) {
      const [key, entry] = this.maps.entries().next().value!;
      this.drop(key, entry);
    }
  }

  /** Drops a map from the cache, ending its worker once done (a run still awaited goes on). */
  private drop(key: string, entry: MapEntry): void {
    this.maps.delete(key);
    if (entry.done) entry.run?.close();
    else
      void entry.promise.then(
        () => entry.run?.close(),
        () => undefined,
      );
  }

  /** Drops `entry` from the cache, unless another map took its place. */
  private forget(key: string, entry: MapEntry): void {
    if (this.maps.get(key) === entry) this.maps.delete(key);
  }
}
