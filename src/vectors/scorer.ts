/**
 * Scores of vocabulary rows against query vectors, a cache-sized tile of the
 * product (unit vectors) × (queries)ᵀ at a time: the engine behind
 * KeyedVectors' nearest-neighbour queries, single or batched.
 *
 * The WebAssembly SIMD kernel (assembly/similarity.ts) holds its own copies
 * of the unit vectors: float32, and int16 (with a prefix copy of their first
 * rotated dimensions) for approximate passes that keep only the rows that
 * may beat a query's floor (with a proven error bound), whose exact scores
 * are then computed. A large batch is split between worker threads over the
 * kernel's shared memory. Where the kernel cannot be
 * used (not built, no SIMD, or the vectors do not fit in a 32-bit
 * WebAssembly memory) TypeScript computes the same scores bit for bit: every
 * exact score sums float32 products in one fixed order.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import {
  receiveMessageOnPort,
  MessageChannel,
  Worker,
  type MessagePort,
} from 'node:worker_threads';
import { orthogonalityError, principalAxes } from './principal-axes.js';
import type { TopN } from './top-n.js';

/**
 * `n` rounded up to a multiple of 4: floats per padded row (one v128 holds 4),
 * and rows including the zero rows that complete the last group of 4 (the
 * kernel works on 4 rows at a time).
 */
function multipleOf4(n: number): number {
  return (n + 3) & ~3;
}

/**
 * Receives the exact scores of the rows `[rowStart, rowEnd)` for queries
 * `[firstQuery, firstQuery + queryCount)`: the score of row r for query
 * firstQuery + j is `scores[j * stride + (r - rowStart)]`. Only queries whose
 * end exceeds `rowStart` are passed (rows from a query's end on are scored
 * but are not its candidates). The array is only valid during the call.
 */
export type TileVisitor = (
  rowStart: number,
  rowEnd: number,
  firstQuery: number,
  queryCount: number,
  scores: Float32Array,
  stride: number,
) => void;

export interface Scorer {
  /** Which implementation computes the scores. */
  readonly kind: 'wasm' | 'js';
  /** How many threads answered the last {@link Scorer.selectTop} (1: the calling thread alone). */
  readonly threads: number;
  /**
   * Scores every query against the rows before its end, tile by tile in
   * increasing row order.
   * @param queries `count × dim` float32 values, row-major, each of norm 1 or 0.
   * @param ends Per query, the row where its candidates end; non-increasing.
   */
  scan(queries: Float32Array, ends: ArrayLike<number>, visit: TileVisitor): void;
  /**
   * Fills `heaps[q]` (empty) with the best rows of query q: those before its
   * end, not in `excludes[q]`, by exact score, ties to the lower row. The
   * result is the same whether the batch is split between threads or not.
   */
  selectTop(
    queries: Float32Array,
    ends: ArrayLike<number>,
    heaps: readonly TopN[],
    excludes: ReadonlyArray<ReadonlySet<number>>,
  ): void;
}

/** {@link Scorer.selectTop} from every exact score, on the calling thread. */
function selectTopByScan(
  scan: (queries: Float32Array, ends: ArrayLike<number>, visit: TileVisitor) => void,
  queries: Float32Array,
  ends: ArrayLike<number>,
  heaps: readonly TopN[],
  excludes: ReadonlyArray<ReadonlySet<number>>,
): void {
  scan(queries, ends, (rowStart, rowEnd, first, count, scores, stride) => {
    for (let j = 0; j < count; j++) {
      const heap = heaps[first + j]!;
      const exclude = excludes[first + j]!;
      const limit = Math.min(rowEnd, ends[first + j]!);
      for (let row = rowStart, at = j * stride; row < limit; row++, at++) {
        const score = scores[at]!;
        if (heap.accepts(score, row) && !exclude.has(row)) heap.push(score, row);
      }
    }
  });
}

/** Rows per tile (a multiple of 4): their int16 copy (256 × 100 values, 50 KiB) stays in cache while a chunk of queries passes over it. */
const BLOCK_ROWS = 256;
/** Queries per tile. */
const QUERY_CHUNK = 128;
const TILE = QUERY_CHUNK * BLOCK_ROWS;
/** The longest block of rows for the filter (single queries, whose lists have room for TILE rows). */
const MAX_BLOCK_ROWS = 8192;
const WASM_PAGE = 65536;
/** A 32-bit WebAssembly memory holds at most 4 GiB. */
const MAX_WASM_BYTES = 65536 * WASM_PAGE;
/** Start of the kernel's buffers (16-byte aligned): above its static data, an 8 KiB table at 64 (memoryBase in its asconfig). */
const FIRST_OFFSET = 64 + 8192;
/** Unit vectors are quantised as round(SCALE × value); SCALE² × 2 < 2³¹, so no int32 sum can overflow. */
const SCALE = 32767;
const SCALE2 = SCALE * SCALE;
/** Bytes of per-query parameters of the filter's passes (see Q_* in the kernel), and where some of them lie. */
const PARAM_BYTES = 32;
const PARAM_LIMIT = 0;
const PARAM_END = 4;
const PARAM_THRESHOLD = 8;
const PARAM_ERROR = 12;
const PARAM_PREFIX_ERROR = 16;
const PARAM_HEAP = 24;
const PARAM_EXCLUDED = 28;
/** Rotated dimensions in the prefix copy, and its int16 values per row or query (those, then [rest, error] or [rest, K]). */
const PREFIX_DIMS = 16;
const PREFIX_VALUES = PREFIX_DIMS + 2;
/** Bytes of the prefix copy per row. */
const PREFIX_BYTES = PREFIX_VALUES * 2;
/** Bytes of a prefix query vector: each pair of its values (one int32) splatted to a v128. */
const PREFIX_QUERY_BYTES = PREFIX_VALUES * 8;
const INT16_MAX = 32767;
const INT32_MIN = -(2 ** 31);
/** Queries answered before the filter is built (a batch of this many builds it at once). */
const FILTER_AFTER = 16;
/** A batch is split between threads from this many queries on, if it also has this many (row, query) pairs. */
const PARALLEL_QUERIES = 64;
const PARALLEL_WORK = 1 << 21;
/** By default, the most memory (bytes) a batch's heaps take in the kernel at once; a larger batch goes in groups. */
const HEAP_BYTES = 64 << 20;
/** At most this many worker threads per scorer. */
const MAX_WORKERS = 7;
/** How long to wait for a worker to start. */
const WORKER_TIMEOUT_MS = 10_000;
/** Above this many dimensions, finding the axes would cost more than it saves. */
const MAX_ROTATED_DIM = 400;

export interface SimilarityExports {
  memory: WebAssembly.Memory;
  scoreBlock(
    rows: number,
    rowStart: number,
    rowEnd: number,
    lanes: number,
    queries: number,
    queryCount: number,
    out: number,
    outStride: number,
  ): void;
  prefilterBlock(
    prefix: number,
    rowStart: number,
    rowEnd: number,
    queries: number,
    queryCount: number,
    params: number,
    out: number,
    outStride: number,
    counts: number,
  ): void;
  refine(
    rows: number,
    lanes: number,
    queries: number,
    queryCount: number,
    params: number,
    rowErrors: number,
    lists: number,
    listStride: number,
    counts: number,
  ): void;
  rescore(
    rows: number,
    lanes: number,
    queries: number,
    queryCount: number,
    lists: number,
    listStride: number,
    counts: number,
    out: number,
  ): void;
  keepBest(
    queryCount: number,
    params: number,
    lists: number,
    listStride: number,
    counts: number,
    scores: number,
  ): void;
}

const WASM_URL = new URL('../../../build/similarity.wasm', import.meta.url);
const WORKER_URL = new URL('./scorer-worker.js', import.meta.url);
let compiled: WebAssembly.Module | null | undefined;

/** The compiled kernel, or null if it is not built or this runtime cannot run it. */
function similarityModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(new Uint8Array(readFileSync(WASM_URL)));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/**
 * A scorer over `size` unit vectors of `dim` dimensions (row-major in `unit`).
 * @param prefer 'js' forces the TypeScript implementation (for tests); by default the kernel is used when possible.
 * @param maxHeapBytes The most memory the top-n heaps of a batch take in the kernel at once (a larger batch goes in groups).
 * @example
 * const scorer = createScorer(kv.unitVectors(), kv.size, kv.dim);
 */
export function createScorer(
  unit: Float32Array,
  size: number,
  dim: number,
  prefer: 'wasm' | 'js' = 'wasm',
  maxHeapBytes = HEAP_BYTES,
): Scorer {
  if (prefer === 'wasm') {
    const module = similarityModule();
    const scorer = module ? WasmScorer.create(module, unit, size, dim, maxHeapBytes) : undefined;
    if (scorer) return scorer;
  }
  return new JsScorer(unit, size, dim);
}

/**
 * Calls `onTile` for each block of rows and each chunk of queries active in
 * it (those whose end lies beyond the block's start), rows outermost.
 * Blocks are BLOCK_ROWS rows or, given `maxRows`, double in size from there
 * up to it (fewer calls when there are few queries; a block's rows are
 * `stride` = its size at most).
 */
function forEachTile(
  size: number,
  ends: ArrayLike<number>,
  onTile: (rowStart: number, rowEnd: number, first: number, count: number, stride: number) => void,
  maxRows = BLOCK_ROWS,
): void {
  const count = ends.length;
  if (count === 0) return;
  const lastRow = Math.min(size, ends[0]!);
  for (
    let rowStart = 0, rows = BLOCK_ROWS;
    rowStart < lastRow;
    rowStart += rows, rows = Math.min(maxRows, 2 * rows)
  ) {
    const rowEnd = Math.min(lastRow, rowStart + rows);
    for (let first = 0; first < count && ends[first]! > rowStart; first += QUERY_CHUNK) {
      let active = Math.min(QUERY_CHUNK, count - first);
      while (ends[first + active - 1]! <= rowStart) active--;
      onTile(rowStart, rowEnd, first, active, rows);
    }
  }
}

/**
 * The exact score of one row for one query, in the kernel's order: lane l
 * of the accumulator sums components k ≡ l (mod 4), rounding to float32
 * after every operation, then (s0 + s1) + (s2 + s3).
 */
function exactScore(
  unit: Float32Array,
  base: number,
  queries: Float32Array,
  queryBase: number,
  dim: number,
): number {
  const fround = Math.fround;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < dim; k += 4) {
    s0 = fround(s0 + fround(unit[base + k]! * queries[queryBase + k]!));
    s1 = fround(s1 + fround(unit[base + k + 1]! * queries[queryBase + k + 1]!));
    s2 = fround(s2 + fround(unit[base + k + 2]! * queries[queryBase + k + 2]!));
    s3 = fround(s3 + fround(unit[base + k + 3]! * queries[queryBase + k + 3]!));
  }
  if (k < dim) {
    // The kernel's zero padding adds +0 to the lanes past the end (turning a -0 sum into +0).
    s0 = fround(s0 + fround(unit[base + k]! * queries[queryBase + k]!));
    s1 =
      k + 1 < dim ? fround(s1 + fround(unit[base + k + 1]! * queries[queryBase + k + 1]!)) : s1 + 0;
    s2 =
      k + 2 < dim ? fround(s2 + fround(unit[base + k + 2]! * queries[queryBase + k + 2]!)) : s2 + 0;
    s3 = s3 + 0;
  }
  return fround(fround(s0 + s1) + fround(s2 + s3));
}

/** The smallest float32 at least `x` (for x ≥ 0). */
function roundUp(x: number): number {
  const rounded = Math.fround(x);
  return rounded >= x ? rounded : Math.fround(x * (1 + 2 ** -23));
}

/** Where the filter and the loaded queries lie in the kernel's memory: what any thread needs to filter them. */
export interface FilterLayout {
  size: number;
  stride32: number;
  stride16: number;
  rows32At: number;
  rows16At: number;
  errorsAt: number;
  prefixAt: number;
  /** The rotation's axes as float32 rows. */
  axesAt: number;
  /** The loaded queries: float32 pairs, int16 pairs, prefix vectors and parameters. */
  queriesAt: number;
  queries16At: number;
  prefixQueriesAt: number;
  paramsAt: number;
}

/** One thread's buffers for {@link filterTiles} (byte offsets in the kernel's memory). */
export interface FilterScratch {
  listsAt: number;
  exactAt: number;
  countsAt: number;
}

/** Bytes of a {@link FilterScratch}. */
const SCRATCH_BYTES = 2 * TILE * 4 + QUERY_CHUNK * 4;

function scratchAt(at: number): FilterScratch {
  return { listsAt: at, exactAt: at + TILE * 4, countsAt: at + 2 * TILE * 4 };
}

/**
 * The filtered top-n search over loaded queries `[first, first + ends.length)`
 * (`first` even), tile by tile: the prefix test, refine and rescore pick
 * out the rows that may beat each query's floor, with their exact scores,
 * and keepBest offers them to the query's heap, raising its floor.
 */
function filterTiles(
  exports: SimilarityExports,
  layout: FilterLayout,
  scratch: FilterScratch,
  first: number,
  ends: ArrayLike<number>,
): void {
  const { stride16, stride32 } = layout;
  // Few queries share the lists' room (TILE rows in all) in longer blocks.
  const maxRows = Math.max(
    BLOCK_ROWS,
    Math.min(MAX_BLOCK_ROWS, Math.floor(TILE / Math.min(QUERY_CHUNK, ends.length)) & ~3),
  );
  forEachTile(
    layout.size,
    ends,
    (rowStart, rowEnd, chunk, count, stride) => {
      const loaded = first + chunk;
      const queryParams = layout.paramsAt + loaded * PARAM_BYTES;
      exports.prefilterBlock(
        layout.prefixAt,
        rowStart,
        rowEnd,
        layout.prefixQueriesAt + loaded * PREFIX_QUERY_BYTES,
        count,
        queryParams,
        scratch.listsAt,
        stride,
        scratch.countsAt,
      );
      exports.refine(
        layout.rows16At,
        stride16 >> 3,
        layout.queries16At + loaded * stride16 * 2,
        count,
        queryParams,
        layout.errorsAt,
        scratch.listsAt,
        stride,
        scratch.countsAt,
      );
      exports.rescore(
        layout.rows32At,
        stride32 >> 2,
        layout.queriesAt + loaded * stride32 * 4,
        count,
        scratch.listsAt,
        stride,
        scratch.countsAt,
        scratch.exactAt,
      );
      exports.keepBest(
        count,
        queryParams,
        scratch.listsAt,
        stride,
        scratch.countsAt,
        scratch.exactAt,
      );
    },
    maxRows,
  );
}

/** What {@link loadFilterQueries} needs to know of the filter: its rotation and error terms. */
export interface QueryFilter {
  dim: number;
  /** Axes as rows (float32 values), or undefined for no rotation. */
  axes: Float64Array | undefined;
  slack: number;
  errorScale: number;
}

/**
 * Loads queries `[first, last)` (`first` even) for the filter, from their
 * float32 pairs already in the kernel's memory: their rotated values as
 * int16 pairs and as prefix vectors, and their parameters with no floor yet
 * (but for where their heaps and excluded rows lie, which the host set).
 * Threads may load disjoint ranges at once.
 */
function loadFilterQueries(
  exports: SimilarityExports,
  layout: FilterLayout,
  scratch: FilterScratch,
  filter: QueryFilter,
  ends: ArrayLike<number>,
  first: number,
  last: number,
): void {
  const { dim, axes } = filter;
  const { stride32, stride16 } = layout;
  const buffer = exports.memory.buffer;
  // The kernel rotates up to ROTATE_CHUNK queries at a time into this thread's scratch (float32, as it rotated the rows);
  // with too many dimensions for that room, TypeScript does.
  const outStride = multipleOf4(dim);
  const kernelRotates = axes !== undefined && outStride * ROTATE_CHUNK <= TILE;
  const rotatedChunk = new Float32Array(buffer, scratch.exactAt, TILE);
  const count = last - first;
  const pairs = ((last + 1) >> 1) - (first >> 1);
  const queries32 = new Float32Array(
    buffer,
    layout.queriesAt + first * stride32 * 4,
    pairs * 2 * stride32,
  );
  const memory16 = new Int16Array(
    buffer,
    layout.queries16At + first * stride16 * 2,
    pairs * 2 * stride16,
  );
  memory16.fill(0);
  const prefix = new Int32Array(
    buffer,
    layout.prefixQueriesAt + first * PREFIX_QUERY_BYTES,
    count * (PREFIX_QUERY_BYTES / 4),
  );
  prefix.fill(0);
  const params = new DataView(buffer, layout.paramsAt + first * PARAM_BYTES, count * PARAM_BYTES);
  const query = new Float64Array(dim);
  const rotated = new Float64Array(dim);
  const quantised = new Float64Array(dim);
  for (let q = 0; q < count; q++) {
    if (kernelRotates) {
      if (q % ROTATE_CHUNK === 0) {
        exports.scoreBlock(
          layout.axesAt,
          0,
          dim,
          stride32 >> 2,
          layout.queriesAt + (first + q) * stride32 * 4,
          Math.min(ROTATE_CHUNK, count - q),
          scratch.exactAt,
          outStride,
        );
      }
      const at = (q % ROTATE_CHUNK) * outStride;
      for (let j = 0; j < dim; j++) rotated[j] = rotatedChunk[at + j]!;
    } else if (axes) {
      const source = (q >> 1) * stride32 * 2 + (q & 1) * 4;
      for (let k = 0; k < dim; k++) query[k] = queries32[source + (k >> 2) * 8 + (k & 3)]!;
      for (let j = 0; j < dim; j++) {
        let sum = 0;
        const axis = j * dim;
        for (let k = 0; k < dim; k++) sum += axes[axis + k]! * query[k]!;
        rotated[j] = sum;
      }
    } else {
      const source = (q >> 1) * stride32 * 2 + (q & 1) * 4;
      for (let k = 0; k < dim; k++) rotated[k] = queries32[source + (k >> 2) * 8 + (k & 3)]!;
    }
    const target = (q >> 1) * stride16 * 2 + (q & 1) * 8;
    let l1 = 0;
    let rest = 0;
    for (let k = 0; k < dim; k++) {
      const quantum = Math.round(rotated[k]! * SCALE) || 0;
      memory16[target + (k >> 3) * 16 + (k & 7)] = quantum;
      quantised[k] = quantum;
      l1 += Math.abs(quantum);
      if (k >= PREFIX_DIMS) rest += quantum * quantum;
    }
    // |approx − SCALE² × exact| ≤ ½ L1(row) + ½ L1(query) + dim / 4; the row's half is stored with the row.
    const error = roundUp(l1 / 2 + dim / 4 + filter.slack);
    // The prefix test's share also covers the rest norm beyond the int16 cap (times the largest row rest norm, INT16_MAX + its excess, which the row's share covers).
    const norm = normBound(rest);
    const capped = Math.min(INT16_MAX, norm);
    // The prefix vector: each pair of values as one int32, splatted; then [σ, K].
    const base = q * (PREFIX_QUERY_BYTES / 4);
    for (let k = 0; k < PREFIX_DIMS && k < dim; k += 2) {
      const pair = (quantised[k]! & 0xffff) | ((k + 1 < dim ? quantised[k + 1]! : 0) << 16);
      prefix.fill(pair, base + (k >> 1) * 4, base + (k >> 1) * 4 + 4);
    }
    const restAt = base + (PREFIX_DIMS / 2) * 4;
    prefix.fill(capped | (filter.errorScale << 16), restAt, restAt + 4);
    const at = q * PARAM_BYTES;
    params.setInt32(at + PARAM_LIMIT, INT32_MIN, true);
    params.setInt32(at + PARAM_END, ends[first + q]!, true);
    params.setFloat32(at + PARAM_THRESHOLD, -Infinity, true);
    params.setFloat32(at + PARAM_ERROR, error, true);
    params.setFloat64(at + PARAM_PREFIX_ERROR, error + (norm - capped) * INT16_MAX, true);
  }
}

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
 * How a batch is split between threads. A piece is filtered rows outermost,
 * so a block of rows, once read, serves every query of the piece; the
 * smaller the piece, the more often the rows are read (measured on one
 * thread: 0.107 ms per query in a piece of 500, 0.15 ms in pieces of 60 to
 * 130). So each thread first takes FIRST_SHARE of an equal share, and the
 * rest goes, in pieces of each thread's share of what is left (shrinking
 * to MIN_PIECE), to whichever thread is free, so that threads finish
 * together even if one started late or ran slower. Pieces are even (pairs
 * are the kernel's unit).
 */
const FIRST_SHARE = 7 / 8;
const MIN_PIECE = 8;
const MAX_PIECE = 8 * QUERY_CHUNK;

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

/** Stops a scorer's workers once the scorer is garbage: they hold its memory. */
const poolRegistry = new FinalizationRegistry<Worker[]>((threads) => {
  for (const thread of threads) void thread.terminate();
});

class WasmScorer implements Scorer {
  readonly kind = 'wasm';
  threads = 1;
  /** float32 and int16 values per padded vector. */
  private readonly stride32: number;
  private readonly stride16: number;
  /** The rotation applied to rows and queries for the filter (axes as rows, float32 values), or undefined for none. */
  private axes: Float64Array | undefined;
  /** Slack in the filter for rounding (scaled by SCALE²); set once the rotation is known. */
  private slack = 0;
  /** The prefix copy's scale of row errors: K × (a row's error slot) ≥ its error term. */
  private errorScale = 1;
  /** Whether the filter is built; until then, queries score every row exactly. */
  private filtering = false;
  /** Queries answered so far. */
  private answered = 0;
  // Byte offsets in the kernel's memory.
  private readonly rows32At: number;
  private readonly rows16At: number;
  private readonly errorsAt: number;
  private readonly prefixAt: number;
  private readonly axesAt: number;
  private readonly scoresAt: number;
  private readonly queriesAt: number;
  /** This thread's buffers for the filter, and each worker's. */
  private readonly scratch: FilterScratch;
  private readonly workerScratch: FilterScratch[];
  /** The worker threads once started; null if they cannot be. */
  private pool: ThreadPool | null | undefined;
  /** Queries the memory has room for (even). */
  private capacity = QUERY_CHUNK;
  private scores!: Float32Array;
  /** Counts the queries taken from a batch when this thread filters it alone (see filterPieces). */
  private readonly taken = new Int32Array(1);

  private constructor(
    private readonly exports: SimilarityExports,
    private readonly unit: Float32Array,
    private readonly size: number,
    private readonly dim: number,
    /** Whether there is room for the int16 filter; without it, every query scores every row exactly. */
    private readonly filterAllowed: boolean,
    workers: number,
    /** The most memory a batch's heaps take in the kernel at once (see selectTop). */
    private readonly maxHeapBytes: number,
  ) {
    this.stride32 = multipleOf4(dim);
    this.stride16 = (dim + 7) & ~7;
    const rows = multipleOf4(size);
    const filterRows = filterAllowed ? rows : 0;
    this.rows32At = FIRST_OFFSET;
    this.rows16At = this.rows32At + rows * this.stride32 * 4;
    this.errorsAt = this.rows16At + filterRows * this.stride16 * 2;
    this.prefixAt = this.errorsAt + filterRows * 4;
    this.axesAt = this.prefixAt + filterRows * PREFIX_BYTES;
    this.scoresAt = this.axesAt + (filterAllowed ? axesBytes(dim) : 0);
    const scratchesAt = this.scoresAt + TILE * 4;
    this.scratch = scratchAt(scratchesAt);
    this.workerScratch = Array.from({ length: workers }, (_, i) =>
      scratchAt(scratchesAt + (1 + i) * SCRATCH_BYTES),
    );
    this.queriesAt = scratchesAt + (1 + workers) * SCRATCH_BYTES;
    this.makeViews();
  }

  /** Bytes for `count` queries (rounded up to pairs): float32 pairs, int16 pairs, prefix vectors, parameters. */
  private static queryBytes(count: number, dim: number): number {
    const even = (count + 1) & ~1;
    return even * (multipleOf4(dim) * 4 + ((dim + 7) & ~7) * 2 + PREFIX_QUERY_BYTES + PARAM_BYTES);
  }

  /**
   * Copies the unit vectors into a new kernel instance, with room for the
   * int16 filter if the 4 GiB memory has it; undefined if even the float32
   * rows do not fit.
   */
  static create(
    module: WebAssembly.Module,
    unit: Float32Array,
    size: number,
    dim: number,
    maxHeapBytes: number,
  ): WasmScorer | undefined {
    const rows = multipleOf4(size);
    const filter = rows * (((dim + 7) & ~7) * 2 + 4 + PREFIX_BYTES) + axesBytes(dim);
    const limit = MAX_WASM_BYTES - WASM_PAGE;
    for (const filterAllowed of [true, false]) {
      // Workers only help the filtered scan; each needs its own buffers.
      const workers = filterAllowed ? Math.min(MAX_WORKERS, availableParallelism() - 1) : 0;
      const common =
        FIRST_OFFSET +
        rows * multipleOf4(dim) * 4 +
        TILE * 4 +
        (1 + workers) * SCRATCH_BYTES +
        WasmScorer.queryBytes(Math.max(QUERY_CHUNK, dim), dim);
      const needed = common + (filterAllowed ? filter : 0);
      if (needed > limit) continue;
      const exports = sharedInstance(module, Math.ceil(needed / WASM_PAGE));
      if (!exports) continue; // e.g. the process cannot get that much memory
      const scorer = new WasmScorer(exports, unit, size, dim, filterAllowed, workers, maxHeapBytes);
      scorer.copyRows();
      return scorer;
    }
    return undefined;
  }

  /** Copies the rows as float32, each padded to whole lanes (the memory starts zeroed, which pads). */
  private copyRows(): void {
    const { unit, size, dim, stride32 } = this;
    const rows32 = new Float32Array(
      this.exports.memory.buffer,
      this.rows32At,
      multipleOf4(size) * stride32,
    );
    if (stride32 === dim) rows32.set(unit.subarray(0, size * dim));
    else
      for (let row = 0; row < size; row++)
        rows32.set(unit.subarray(row * dim, (row + 1) * dim), row * stride32);
  }

  /**
   * Builds the filter: the rows' rotated values in int16 with their error
   * terms, and the prefix copy. It costs about as much as a few hundred
   * queries without it, so it is built once enough queries have come.
   */
  private buildFilter(): void {
    const { unit, size, dim, stride32, stride16 } = this;
    this.filtering = true;
    // Room for the axes as queries first (growing the memory detaches views on it); without it, no rotation.
    const roomForAxes = this.reserve(dim);
    const buffer = this.exports.memory.buffer;
    const rows = multipleOf4(size);

    // The principal axes of the rows, in order of decreasing variance: rotated
    // onto them, rows and queries have most of their length in the first
    // dimensions, which the prefix copy holds.
    const axes =
      roomForAxes && dim > PREFIX_DIMS && dim <= MAX_ROTATED_DIM
        ? principalAxes(unit, size, dim)
        : undefined;
    let rotationError = 0;
    if (axes) {
      // The kernel rotates in float32 with axes rounded to float32: bound what that costs a dot product.
      for (let i = 0; i < axes.length; i++) axes[i] = Math.fround(axes[i]!);
      rotationError = orthogonalityError(axes, dim) + 2 * Math.sqrt(dim) * (dim / 4 + 4) * 2 ** -23;
    }
    this.axes = axes;
    if (axes) {
      const rows32 = new Float32Array(this.exports.memory.buffer, this.axesAt, dim * stride32);
      for (let j = 0; j < dim; j++) rows32.set(axes.subarray(j * dim, (j + 1) * dim), j * stride32);
    }
    // An exact float32 score is within (dim / 4 + 3) × 2^-23 of the true dot product of two unit vectors.
    this.slack = roundUp((rotationError + (dim / 4 + 3) * 2 ** -23 + 1e-6) * SCALE2 + 4096);

    const rows16 = new Int16Array(buffer, this.rows16At, rows * stride16);
    const errors = new Float32Array(buffer, this.errorsAt, rows);
    const prefix = new Int16Array(buffer, this.prefixAt, rows * PREFIX_VALUES);
    // Rows' error terms for the prefix test: their own, plus what capping their rest norm at INT16_MAX leaves out,
    // times the largest query rest norm (INT16_MAX + at most excessLimit, which the query's share covers).
    const prefixErrors = new Float64Array(size);
    const excessLimit = Math.ceil(Math.sqrt(dim) / 2) + 1;
    // Quantises values[at + k * step] (k < dim) as row `row`; the prefix's error slot is filled once all errors are known.
    const store = (row: number, values: ArrayLike<number>, at: number, step: number): void => {
      const target = row * stride16;
      const group = prefixGroup(row);
      let l1 = 0;
      let rest = 0;
      for (let k = 0; k < dim; k++) {
        const q = Math.round(values[at + k * step]! * SCALE) || 0; // NaN → 0
        rows16[target + k] = q;
        l1 += Math.abs(q);
        if (k < PREFIX_DIMS) prefix[group + (k >> 1) * 8 + (k & 1)] = q;
        else rest += q * q;
      }
      errors[row] = roundUp(l1 / 2);
      const norm = normBound(rest);
      prefix[group + (PREFIX_DIMS / 2) * 8] = Math.min(INT16_MAX, norm);
      prefixErrors[row] =
        errors[row]! + (norm - Math.min(INT16_MAX, norm)) * (INT16_MAX + excessLimit);
    };
    if (!axes) {
      for (let row = 0; row < size; row++) store(row, unit, row * dim, 1);
    } else {
      // Rotated rows are dot products with the axes: let the kernel compute them, a block of rows at a time.
      this.load(Float32Array.from(axes), dim);
      const block = new Float32Array(BLOCK_ROWS * dim);
      const scores = this.scores;
      for (let rowStart = 0; rowStart < size; rowStart += BLOCK_ROWS) {
        const rowEnd = Math.min(size, rowStart + BLOCK_ROWS);
        for (let first = 0; first < dim; first += QUERY_CHUNK) {
          const count = Math.min(QUERY_CHUNK, dim - first);
          this.exports.scoreBlock(
            this.rows32At,
            rowStart,
            rowEnd,
            stride32 >> 2,
            this.queriesAt + first * stride32 * 4,
            count,
            this.scoresAt,
            BLOCK_ROWS,
          );
          if (count === dim) break; // one chunk holds every axis: quantise straight from the tile
          for (let j = 0; j < count; j++) {
            for (let row = rowStart; row < rowEnd; row++)
              block[(row - rowStart) * dim + first + j] = scores[j * BLOCK_ROWS + row - rowStart]!;
          }
        }
        for (let row = rowStart; row < rowEnd; row++) {
          if (dim <= QUERY_CHUNK) store(row, scores, row - rowStart, BLOCK_ROWS);
          else store(row, block, (row - rowStart) * dim, 1);
        }
      }
    }
    // Row errors are at most ½ √dim (S + ½ √dim): scaled down to fit int16 (rounding up).
    let largest = 0;
    for (let row = 0; row < size; row++) largest = Math.max(largest, prefixErrors[row]!);
    this.errorScale = Math.max(1, Math.ceil(largest / INT16_MAX));
    for (let row = 0; row < size; row++) {
      prefix[prefixGroup(row) + (PREFIX_DIMS / 2) * 8 + 1] = Math.ceil(
        prefixErrors[row]! / this.errorScale,
      );
    }
  }

  scan(queries: Float32Array, ends: ArrayLike<number>, visit: TileVisitor): void {
    this.inGroups(queries, ends, (part, partEnds, offset) => {
      this.load(part, partEnds.length);
      const scores = this.scores;
      forEachTile(this.size, partEnds, (rowStart, rowEnd, first, count) => {
        this.exports.scoreBlock(
          this.rows32At,
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
    const heapBytes = heaps.map(
      (heap, q) => heapRecordBytes(heap.capacity) + excludedBytes(excludes[q]!.size),
    );
    for (let first = 0; first < count;) {
      let last = first + 1;
      let bytes = heapBytes[first]!;
      for (; last < count && bytes + heapBytes[last]! <= this.maxHeapBytes; last++)
        bytes += heapBytes[last]!;
      if (this.reserve(last - first, bytes)) this.selectInKernel(...group(first, last));
      else scanAll(first, last); // no room in 4 GiB
      first = last;
    }
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
    const pool =
      count >= PARALLEL_QUERIES && count * this.size >= PARALLEL_WORK
        ? this.workerPool()
        : undefined;
    this.load(queries, count);
    this.placeHeaps(heaps, excludes);
    const batch: FilterBatch = {
      threads: 1 + (pool?.workers.length ?? 0),
      layout: this.layout(),
      filter: this.queryFilter(),
      ends,
    };
    if (pool) {
      this.filterOnPool(pool, batch);
    } else {
      Atomics.store(this.taken, 0, 0);
      filterPieces(this.exports, this.scratch, batch, this.taken);
    }
    this.threads = batch.threads;
    this.readHeaps(heaps);
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
      memory.setInt32(params + PARAM_HEAP, at, true);
      memory.setInt32(at, heap.capacity, true);
      memory.setInt32(at + 4, 0, true);
      at += heapRecordBytes(heap.capacity);
      memory.setInt32(params + PARAM_EXCLUDED, at, true);
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
      const at = memory.getInt32(paramsAt + q * PARAM_BYTES + PARAM_HEAP, true);
      const capacity = memory.getInt32(at, true);
      const length = memory.getInt32(at + 4, true);
      const scores = new Float32Array(buffer, at + 8, length);
      const rows = new Int32Array(buffer, at + 8 + 4 * capacity, length);
      for (let i = 0; i < length; i++) heap.push(scores[i]!, rows[i]!);
    });
  }

  /** Stops the workers (after one failed); later batches run on the calling thread. */
  private stopThreads(): void {
    for (const worker of this.pool?.workers ?? []) void worker.thread.terminate();
    this.pool = null;
  }

  /** Counts the queries asked and builds the filter once enough have come; whether it is built. */
  private prepareFilter(count: number): boolean {
    this.answered += count;
    if (
      !this.filtering &&
      this.filterAllowed &&
      (count >= FILTER_AFTER || this.answered > FILTER_AFTER)
    )
      this.buildFilter();
    return this.filtering;
  }

  /** The layout of the filter and of the loaded queries, for filterTiles. */
  private layout(): FilterLayout {
    return {
      size: this.size,
      stride32: this.stride32,
      stride16: this.stride16,
      rows32At: this.rows32At,
      rows16At: this.rows16At,
      errorsAt: this.errorsAt,
      prefixAt: this.prefixAt,
      axesAt: this.axesAt,
      queriesAt: this.queriesAt,
      queries16At: this.queries16At(),
      prefixQueriesAt: this.prefixQueriesAt(),
      paramsAt: this.paramsAt(),
    };
  }

  /** The worker threads, started on first use; undefined if there is no other core or they cannot start. */
  private workerPool(): ThreadPool | undefined {
    if (this.pool !== undefined) return this.pool ?? undefined;
    this.pool = null;
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
    this.pool = { workers, signals };
    const threads = workers.map((worker) => worker.thread);
    poolRegistry.register(this, threads);
    return this.pool;
  }

  /** Copies `count` queries into the kernel's memory as float32 pairs interleaved by lane. */
  private load(queries: Float32Array, count: number): void {
    const { dim, stride32 } = this;
    const buffer = this.exports.memory.buffer;
    const pairs = (count + 1) >> 1;
    const memory32 = new Float32Array(buffer, this.queriesAt, pairs * 2 * stride32);
    memory32.fill(0);
    for (let q = 0; q < count; q++) {
      const source = q * dim;
      const target = (q >> 1) * stride32 * 2 + (q & 1) * 4;
      for (let k = 0; k < dim; k++)
        memory32[target + (k >> 2) * 8 + (k & 3)] = queries[source + k]!;
    }
  }

  /** What loadFilterQueries needs to know of the filter. */
  private queryFilter(): QueryFilter {
    return { dim: this.dim, axes: this.axes, slack: this.slack, errorScale: this.errorScale };
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
      growTo(
        this.exports.memory,
        this.queriesAt + WasmScorer.queryBytes(capacity, this.dim) + heapBytes,
      );
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

/** Queries the kernel rotates at a time when loading them for the filter. */
const ROTATE_CHUNK = 128;

/** Bytes of a query's heap of `capacity` pairs in the kernel: [capacity, length], then the scores, then the rows (see keepBest). */
function heapRecordBytes(capacity: number): number {
  return 8 + 8 * capacity;
}

/** Bytes of a query's excluded rows in the kernel: their count, then the rows. */
function excludedBytes(count: number): number {
  return 4 + 4 * count;
}

/** Bytes of the axes as float32 rows (padded to groups of 4 rows and to whole lanes). */
function axesBytes(dim: number): number {
  return multipleOf4(dim) * multipleOf4(dim) * 4;
}

/** Where row `row`'s values start in the prefix copy (int16 index): its group of 4, then its place in each v128. */
function prefixGroup(row: number): number {
  return (row >> 2) * PREFIX_VALUES * 4 + (row & 3) * 2;
}

/** ⌈√squares⌉ (for an integer sum of squares): an integer at least the norm. */
function normBound(squares: number): number {
  let norm = Math.ceil(Math.sqrt(squares));
  if (norm * norm < squares) norm++; // the square root rounded down onto an integer
  return norm;
}

/**
 * A kernel instance over a new shared memory (so that worker threads can
 * filter a batch over the same copies) of `pages` pages, growable to 4 GiB
 * for more queries, or not at all where that much address space cannot be
 * reserved; undefined if even `pages` cannot be had.
 */
function sharedInstance(module: WebAssembly.Module, pages: number): SimilarityExports | undefined {
  for (const maximum of [MAX_WASM_BYTES / WASM_PAGE, pages]) {
    try {
      const memory = new WebAssembly.Memory({ initial: pages, maximum, shared: true });
      return new WebAssembly.Instance(module, { env: { memory } })
        .exports as unknown as SimilarityExports;
    } catch {
      // try the smaller maximum
    }
  }
  return undefined;
}

function growTo(memory: WebAssembly.Memory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / WASM_PAGE));
}

/** The kernel's exact arithmetic in TypeScript: every score computed, rounding to float32 after every operation. */
class JsScorer implements Scorer {
  readonly kind = 'js';
  readonly threads = 1;
  private readonly scores = new Float32Array(TILE);
  constructor(
    private readonly unit: Float32Array,
    private readonly size: number,
    private readonly dim: number,
  ) {}

  scan(queries: Float32Array, ends: ArrayLike<number>, visit: TileVisitor): void {
    forEachTile(this.size, ends, (rowStart, rowEnd, first, count) => {
      this.score(queries, rowStart, rowEnd, first, count);
      visit(rowStart, rowEnd, first, count, this.scores, BLOCK_ROWS);
    });
  }

  selectTop(
    queries: Float32Array,
    ends: ArrayLike<number>,
    heaps: readonly TopN[],
    excludes: ReadonlyArray<ReadonlySet<number>>,
  ): void {
    selectTopByScan((q, e, v) => this.scan(q, e, v), queries, ends, heaps, excludes);
  }

  private score(
    queries: Float32Array,
    rowStart: number,
    rowEnd: number,
    first: number,
    count: number,
  ): void {
    const { unit, dim, scores } = this;
    for (let j = 0; j < count; j++) {
      const queryBase = (first + j) * dim;
      for (let row = rowStart; row < rowEnd; row++) {
        scores[j * BLOCK_ROWS + (row - rowStart)] = exactScore(
          unit,
          row * dim,
          queries,
          queryBase,
          dim,
        );
      }
    }
  }
}
