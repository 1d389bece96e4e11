/**
 * The WebAssembly SIMD scorer: the kernel (assembly/similarity.ts) holds its
 * own copies of the rows, float32 (raw, with their inverse norms) for exact
 * cosine scores and, once enough
 * queries have come, the int16 filter (similarity-filter.ts) for top-n
 * queries, whose large batches are split between worker threads over its
 * shared memory (scorer-pool.ts).
 */
import {
  HEAD_LANES,
  PARAM_BYTES,
  PARAM_EXCLUDED,
  PARAM_HEAP,
  PREFIX_QUERY_BYTES,
} from '../../assembly/similarity-layout.js';
import type { TopN } from './top-n.js';
import { BackgroundFilter } from './filter-build.js';
import { HEAP_BYTES, inverseNormsAt, queryBytes, ROWS_AT } from './kernel-memory.js';
import { RowShards } from './row-shards.js';
import { ShardedScorer, type Shard } from './sharded-scorer.js';
import { ScorerPool, workerCount, type FilterBatch } from './scorer-pool.js';
import {
  BLOCK_ROWS,
  JsScorer,
  QUERY_CHUNK,
  TILE,
  forEachTile,
  selectTopByScan,
  type Scorer,
  type SelectTopRequest,
  type TileVisitor,
} from './scorer.js';
import {
  PREFIX_BYTES,
  SCRATCH_BYTES,
  axesBytes,
  buildFilter,
  buildRoomBytes,
  scratchAt,
  type FilterLayout,
  type FilterPlan,
  type QueryFilter,
} from './similarity-filter.js';
import {
  growTo,
  loadQueryPairs,
  multipleOf4,
  similarityModule,
  type SimilarityExports,
} from './similarity-kernel.js';

/** Queries answered before the filter is built (a batch of this many builds it at once). */
const FILTER_AFTER = 16;
/** Rows × dimensions from which the filter is built on a worker thread from the first query on (it takes seconds). */
const BACKGROUND_FILTER_VALUES = 1 << 25;
/** Bytes of a query's heap of `capacity` pairs in the kernel: [capacity, length], then the scores, then the rows (see keepBest). */
function heapRecordBytes(capacity: number): number {
  return 8 + 8 * capacity;
}

/** Bytes of a query's excluded rows in the kernel: their count, then the rows. */
function excludedBytes(count: number): number {
  return 4 + 4 * count;
}

/** Bytes each query takes in the kernel beside its vector: its heap and its excluded rows. */
function heapBytesOf(
  heaps: readonly TopN[],
  excludes: ReadonlyArray<ReadonlySet<number>>,
): number[] {
  return heaps.map((heap, q) => heapRecordBytes(heap.capacity) + excludedBytes(excludes[q]!.size));
}

/** How {@link createScorer} lays out and runs the kernel; the defaults suit any model. */
export interface ScorerOptions {
  /** The most memory the top-n heaps of a batch take in the kernel at once (a larger batch goes in groups). */
  maxHeapBytes?: number;
  /**
   * The most rows one kernel instance holds (the rest go to further shards,
   * see sharded-scorer.ts); by default as many as one WebAssembly memory
   * holds with the filter, in shards of equal size.
   */
  shardRows?: number;
  /**
   * Rows × dimensions from which the filter is built on a worker thread,
   * from the first query on, while queries score every row exactly (below
   * it, on the calling thread once enough queries have come).
   */
  backgroundFilterValues?: number;
}

/**
 * A scorer of cosine similarities over `size` raw vectors of `dim`
 * dimensions (row-major), which it copies into the kernel's memory.
 * @param prefer 'js' forces the TypeScript implementation (for tests); by default the kernel is used when possible.
 * @example
 * const scorer = createScorer(kv.vectors, kv.size, kv.dim);
 */
export function createScorer(
  vectors: Float32Array | RowShards,
  size: number,
  dim: number,
  prefer: 'wasm' | 'js' = 'wasm',
  options: ScorerOptions = {},
): Scorer {
  const settings: KernelSettings = {
    maxHeapBytes: options.maxHeapBytes ?? HEAP_BYTES,
    backgroundFilterValues: options.backgroundFilterValues ?? BACKGROUND_FILTER_VALUES,
  };
  const rows =
    prefer === 'js'
      ? undefined
      : vectors instanceof RowShards
        ? vectors
        : RowShards.copyOf(vectors, size, dim, options.shardRows);
  if (!rows)
    return new JsScorer(vectors instanceof RowShards ? vectors.toArray() : vectors, size, dim);
  const shards: Shard[] = rows.shards.map((shard) => ({
    offset: shard.offset,
    size: shard.size,
    scorer: new WasmScorer(shard.exports, shard.size, dim, workerCount(), settings),
  }));
  return shards.length === 1 ? shards[0]!.scorer : new ShardedScorer(shards, dim);
}

/** What every shard's kernel runs with (see {@link ScorerOptions}). */
interface KernelSettings {
  maxHeapBytes: number;
  backgroundFilterValues: number;
}

/** Scores on the kernel, with the filter for top-n queries once it is built (see the module's comment). */
class WasmScorer implements Scorer {
  readonly kind = 'wasm';
  threads = 1;
  /** float32 and int16 values per padded vector. */
  private readonly stride32: number;
  private readonly stride16: number;
  /** The filter's rotation and error terms, once it is built. */
  private filter: QueryFilter;
  /** Whether the filter is built; until then, queries score every row exactly. */
  private ready = false;
  /** The filter while it is built on a worker thread; null once it is not (built, or the build failed). */
  private background: BackgroundFilter | null | undefined;
  /** Queries answered so far. */
  private answered = 0;
  // Byte offsets in the kernel's memory.
  private readonly rows32At: number;
  private readonly inverseNormsAt: number;
  private readonly head16At: number;
  private readonly tail16At: number;
  private readonly errorsAt: number;
  private readonly headRestsAt: number;
  private readonly prefixAt: number;
  private readonly axesAt: number;
  private readonly buildAt: number;
  private readonly scoresAt: number;
  private readonly queriesAt: number;
  /** The threads that filter a batch, with their buffers. */
  private readonly pool: ScorerPool;
  /** Queries the memory has room for (even). */
  private capacity = QUERY_CHUNK;
  private scores!: Float32Array;

  /** Over a shard's kernel instance, whose memory holds its rows and their inverse norms (see row-shards.ts). */
  constructor(
    private readonly exports: SimilarityExports,
    private readonly size: number,
    private readonly dim: number,
    workers: number,
    private readonly settings: KernelSettings,
  ) {
    this.filter = { dim, axes: undefined, slack: 0, errorScale: 1 };
    this.stride32 = multipleOf4(dim);
    this.stride16 = (dim + 7) & ~7;
    const rows = multipleOf4(size);
    const filterRows = rows;
    const headLanes = Math.min(HEAD_LANES, this.stride16 >> 3);
    this.rows32At = ROWS_AT;
    this.inverseNormsAt = inverseNormsAt(size, dim);
    this.head16At = this.inverseNormsAt + rows * 4;
    this.tail16At = this.head16At + filterRows * headLanes * 16;
    this.errorsAt = this.head16At + filterRows * this.stride16 * 2;
    this.headRestsAt = this.errorsAt + filterRows * 4;
    this.prefixAt = this.headRestsAt + filterRows * 4;
    this.axesAt = this.prefixAt + filterRows * PREFIX_BYTES;
    this.buildAt = this.axesAt + axesBytes(dim);
    this.scoresAt = this.buildAt + buildRoomBytes(dim);
    const scratchesAt = this.scoresAt + TILE * 4;
    const workerScratch = Array.from({ length: workers }, (_, i) =>
      scratchAt(scratchesAt + (1 + i) * SCRATCH_BYTES),
    );
    this.pool = new ScorerPool(exports, scratchAt(scratchesAt), workerScratch);
    this.queriesAt = scratchesAt + (1 + workers) * SCRATCH_BYTES;
    this.makeViews();
    this.startBackground();
  }

  scan(queries: Float32Array, ends: ArrayLike<number>, visit: TileVisitor): void {
    this.inGroups(queries, ends, (part, partEnds, offset) => {
      this.load(part, partEnds.length);
      const scores = this.scores;
      forEachTile(this.size, partEnds, (rowStart, rowEnd, first, count) => {
        this.exports.scoreBlock(
          this.rows32At,
          this.inverseNormsAt,
          rowStart,
          rowEnd,
          this.stride32 >> 2,
          this.queriesAt + first * this.stride32 * 4,
          count,
          this.scoresAt,
          BLOCK_ROWS,
        );
        visit(rowStart, rowEnd, offset + first, count, scores, BLOCK_ROWS);
      });
    });
  }

  selectTop(
    queries: Float32Array,
    ends: ArrayLike<number>,
    heaps: readonly TopN[],
    excludes: ReadonlyArray<ReadonlySet<number>>,
  ): void {
    const count = ends.length;
    this.threads = 1;
    if (count === 0) return;
    // Queries [from, to): their vectors, ends, heaps and exclusions.
    const group = (
      from: number,
      to: number,
    ): [Float32Array, Int32Array, TopN[], Array<ReadonlySet<number>>] => [
      queries.subarray(from * this.dim, to * this.dim),
      Int32Array.from({ length: to - from }, (_, q) => ends[from + q]!),
      heaps.slice(from, to),
      excludes.slice(from, to),
    ];
    const scanAll = (from: number, to: number): void =>
      selectTopByScan((q, e, v) => this.scan(q, e, v), ...group(from, to));
    // Before the filter is built: every row's exact score.
    if (!this.prepareFilter(count)) return scanAll(0, count);
    // Groups of queries whose heaps take at most maxHeapBytes (or one query), as the kernel's memory never shrinks.
    const heapBytes = heapBytesOf(heaps, excludes);
    for (let first = 0; first < count;) {
      let last = first + 1;
      let bytes = heapBytes[first]!;
      for (; last < count && bytes + heapBytes[last]! <= this.settings.maxHeapBytes; last++)
        bytes += heapBytes[last]!;
      if (this.reserve(last - first, bytes)) this.selectInKernel(...group(first, last));
      else scanAll(first, last); // no room in 4 GiB
      first = last;
    }
  }

  /**
   * Starts a small batch of top-n queries on a worker thread (see
   * ScorerPool.startOnWorker) and returns the function that waits for it and
   * fills the heaps; undefined (and nothing started) unless the filter is
   * ready, the batch small and a worker there.
   */
  startSelectTop(...[queries, ends, heaps, excludes]: SelectTopRequest): (() => void) | undefined {
    const count = ends.length;
    if (count === 0 || count >= QUERY_CHUNK || !this.filtering) return undefined;
    const bytes = heapBytesOf(heaps, excludes).reduce((sum, b) => sum + b, 0);
    if (bytes > this.settings.maxHeapBytes || !this.reserve(count, bytes)) return undefined;
    const localEnds = Int32Array.from(ends);
    this.load(queries.subarray(0, count * this.dim), count);
    this.placeHeaps(heaps, excludes);
    const batch: FilterBatch = {
      threads: 1,
      layout: this.layout(),
      filter: this.filter,
      ends: localEnds,
    };
    const wait = this.pool.startOnWorker(batch);
    if (!wait) return undefined;
    return () => {
      wait();
      this.readHeaps(heaps);
    };
  }

  /**
   * selectTop with the filter, over queries that the memory has room for
   * with their heaps: split between threads if the batch is large enough,
   * the heaps kept in the kernel's memory and read back at the end.
   */
  private selectInKernel(
    queries: Float32Array,
    ends: Int32Array,
    heaps: readonly TopN[],
    excludes: ReadonlyArray<ReadonlySet<number>>,
  ): void {
    const count = ends.length;
    const threads = this.pool.threadsFor(count, this.size);
    this.load(queries, count);
    this.placeHeaps(heaps, excludes);
    const batch: FilterBatch = { threads, layout: this.layout(), filter: this.filter, ends };
    this.pool.filter(batch);
    this.threads = batch.threads;
    this.readHeaps(heaps);
  }

  /**
   * Lays out, after the loaded queries' parameters, each query's empty heap
   * of heaps[q].capacity pairs and the rows it must not return (see
   * keepBest in the kernel), and points its parameters at them.
   */
  private placeHeaps(heaps: readonly TopN[], excludes: ReadonlyArray<ReadonlySet<number>>): void {
    const memory = new DataView(this.exports.memory.buffer);
    const paramsAt = this.paramsAt();
    let at = this.heapsAt();
    heaps.forEach((heap, q) => {
      const params = paramsAt + q * PARAM_BYTES;
      // Offsets are unsigned: a shard's memory may pass 2 GiB.
      memory.setUint32(params + PARAM_HEAP, at, true);
      memory.setInt32(at, heap.capacity, true);
      memory.setInt32(at + 4, 0, true);
      at += heapRecordBytes(heap.capacity);
      memory.setUint32(params + PARAM_EXCLUDED, at, true);
      memory.setInt32(at, excludes[q]!.size, true);
      let slot = at + 4;
      for (const row of excludes[q]!) {
        memory.setInt32(slot, row, true);
        slot += 4;
      }
      at += excludedBytes(excludes[q]!.size);
    });
  }

  /** Copies the pairs the kernel kept for each query into its (empty) heap. */
  private readHeaps(heaps: readonly TopN[]): void {
    const buffer = this.exports.memory.buffer;
    const memory = new DataView(buffer);
    const paramsAt = this.paramsAt();
    heaps.forEach((heap, q) => {
      const at = memory.getUint32(paramsAt + q * PARAM_BYTES + PARAM_HEAP, true);
      const capacity = memory.getInt32(at, true);
      const length = memory.getInt32(at + 4, true);
      const scores = new Float32Array(buffer, at + 8, length);
      const rows = new Int32Array(buffer, at + 8 + 4 * capacity, length);
      for (let i = 0; i < length; i++) heap.push(scores[i]!, rows[i]!);
    });
  }

  /** Whether top-n queries use the filter (taking it from its worker thread if it is built there). */
  get filtering(): boolean {
    const filter = this.background?.poll();
    if (filter !== undefined) {
      this.background = null;
      if (filter) this.filter = filter;
      this.ready = filter !== null;
    }
    return this.ready;
  }

  /**
   * Counts the queries asked and, unless it is built on a worker thread (or
   * that build failed), builds the filter once enough have come; whether
   * it is ready.
   */
  private prepareFilter(count: number): boolean {
    if (this.filtering || this.background) return this.ready;
    this.answered += count;
    if (count >= FILTER_AFTER || this.answered > FILTER_AFTER) {
      this.filter = buildFilter(this.exports, this.plan());
      this.ready = true;
    }
    return this.ready;
  }

  /** Starts building the filter on a worker thread, for a large model. */
  private startBackground(): void {
    const large = this.size * this.dim >= this.settings.backgroundFilterValues;
    const module = large ? similarityModule() : null;
    if (module) this.background = BackgroundFilter.start(module, this.exports.memory, this.plan());
  }

  private plan(): FilterPlan {
    return { layout: this.layout(), dim: this.dim, buildAt: this.buildAt };
  }

  /** The layout of the filter and of the loaded queries, for filterTiles. */
  private layout(): FilterLayout {
    return {
      size: this.size,
      stride32: this.stride32,
      stride16: this.stride16,
      rows32At: this.rows32At,
      inverseNormsAt: this.inverseNormsAt,
      head16At: this.head16At,
      tail16At: this.tail16At,
      errorsAt: this.errorsAt,
      headRestsAt: this.headRestsAt,
      prefixAt: this.prefixAt,
      axesAt: this.axesAt,
      queriesAt: this.queriesAt,
      queries16At: this.queries16At(),
      prefixQueriesAt: this.prefixQueriesAt(),
      paramsAt: this.paramsAt(),
    };
  }

  /** Copies `count` queries into the kernel's memory (see loadQueryPairs). */
  private load(queries: Float32Array, count: number): void {
    loadQueryPairs(this.exports.memory, this.queriesAt, queries, count, this.dim);
  }

  private queries16At(): number {
    return this.queriesAt + this.capacity * this.stride32 * 4;
  }

  private prefixQueriesAt(): number {
    return this.queries16At() + this.capacity * this.stride16 * 2;
  }

  private paramsAt(): number {
    return this.prefixQueriesAt() + this.capacity * PREFIX_QUERY_BYTES;
  }

  /** Where the heaps of a batch start (see placeHeaps). */
  private heapsAt(): number {
    return this.paramsAt() + this.capacity * PARAM_BYTES;
  }

  /** Runs `scan` over all queries at once, or over groups that fit if the memory cannot grow enough. */
  private inGroups(
    queries: Float32Array,
    ends: ArrayLike<number>,
    scan: (part: Float32Array, ends: ArrayLike<number>, offset: number) => void,
  ): void {
    const count = ends.length;
    if (count === 0) return;
    if (this.reserve(count)) {
      scan(queries, ends, 0);
      return;
    }
    const dim = this.dim;
    for (let first = 0; first < count; first += this.capacity) {
      const last = Math.min(count, first + this.capacity);
      scan(
        queries.subarray(first * dim, last * dim),
        Array.from({ length: last - first }, (_, i) => ends[first + i]!),
        first,
      );
    }
  }

  /** Makes room for `count` queries and `heapBytes` of heaps after them; false if the memory cannot grow that far. */
  private reserve(count: number, heapBytes = 0): boolean {
    const capacity =
      count <= this.capacity ? this.capacity : Math.max(count + (count & 1), 2 * this.capacity);
    try {
      growTo(this.exports.memory, this.queriesAt + queryBytes(capacity, this.dim) + heapBytes);
    } catch {
      return false;
    }
    this.capacity = capacity;
    this.makeViews(); // growing may have replaced the memory's buffer
    return true;
  }

  private makeViews(): void {
    this.scores = new Float32Array(this.exports.memory.buffer, this.scoresAt, TILE);
  }
}
