/**
 * Scores of vocabulary rows against query vectors, a cache-sized tile of the
 * product (unit vectors) × (queries)ᵀ at a time: the engine behind
 * KeyedVectors' nearest-neighbour queries, single or batched.
 *
 * The WebAssembly SIMD kernel (assembly/similarity.ts) holds its own copies
 * of the unit vectors: float32, and int16 for a first, approximate pass that
 * keeps only the rows that may beat a query's floor (with a proven error
 * bound), whose exact scores are then computed. Where the kernel cannot be
 * used (not built, no SIMD, or the vectors do not fit in a 32-bit
 * WebAssembly memory) TypeScript computes the same scores bit for bit: every
 * exact score sums float32 products in one fixed order.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { receiveMessageOnPort, MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { TopN } from './top-n.js';

/** Floats per padded row: `dim` rounded up to a multiple of 4 (one v128). */
export function paddedStride(dim: number): number {
  return (dim + 3) & ~3;
}

/**
 * Receives the exact scores of the rows `[rowStart, rowEnd)` for queries
 * `[firstQuery, firstQuery + queryCount)`: the score of row r for query
 * firstQuery + j is `scores[j * stride + (r - rowStart)]`. Only queries whose
 * end exceeds `rowStart` are passed (rows from a query's end on are scored
 * but are not its candidates). The array is only valid during the call.
 */
export type TileVisitor = (
  rowStart: number, rowEnd: number, firstQuery: number, queryCount: number, scores: Float32Array, stride: number,
) => void;

/**
 * Receives, for one query, candidate rows `rows[from..to)` (increasing, all
 * before the query's end) with their exact scores `scores[from..to)`. The
 * arrays are only valid during the call.
 */
export type CandidateVisitor = (query: number, rows: Int32Array, scores: Float32Array, from: number, to: number) => void;

export interface Scorer {
  /** Which implementation computes the scores. */
  readonly kind: 'wasm' | 'js';
  /**
   * Scores every query against the rows before its end, tile by tile in
   * increasing row order.
   * @param queries `count × dim` float32 values, row-major, each of norm 1 or 0.
   * @param ends Per query, the row where its candidates end; non-increasing.
   */
  scan(queries: Float32Array, ends: ArrayLike<number>, visit: TileVisitor): void;
  /**
   * Passes on, tile by tile in increasing row order, rows that may score
   * above each query's floor: every row whose exact score exceeds
   * `floors[q]` is passed, perhaps with some that do not. `floors[q]` is read
   * before every tile, so raising it as better rows are found (a top-n's
   * worst kept score) skips ever more rows.
   */
  scanAbove(queries: Float32Array, ends: ArrayLike<number>, floors: Float32Array, visit: CandidateVisitor): void;
  /**
   * Fills `heaps[q]` with the best rows of query q (before its end, not in
   * `excludes[q]`). The same as feeding {@link Scorer.scanAbove}'s candidates
   * to the heaps with each heap's floor as the query's floor; a large batch
   * may be split between threads, with the same result.
   */
  selectTop(queries: Float32Array, ends: ArrayLike<number>, heaps: readonly TopN[], excludes: ReadonlyArray<ReadonlySet<number>>): void;
}

/**
 * {@link Scorer.selectTop} on the calling thread: each candidate that enters
 * its query's heap raises the query's floor to the heap's worst score.
 */
export function selectTopWith(
  scanAbove: (queries: Float32Array, ends: ArrayLike<number>, floors: Float32Array, visit: CandidateVisitor) => void,
  queries: Float32Array, ends: ArrayLike<number>, heaps: readonly TopN[], excludes: ReadonlyArray<ReadonlySet<number>>,
): void {
  const floors = new Float32Array(ends.length).fill(-Infinity);
  scanAbove(queries, ends, floors, (q, rows, scores, from, to) => {
    const heap = heaps[q]!;
    const exclude = excludes[q]!;
    for (let i = from; i < to; i++) {
      const row = rows[i]!;
      const score = scores[i]!;
      if (heap.accepts(score, row) && !exclude.has(row)) heap.push(score, row);
    }
    floors[q] = heap.floor;
  });
}

/** Rows per tile (a multiple of 4): their int16 copy (256 × 100 values, 50 KiB) stays in cache while a chunk of queries passes over it. */
const BLOCK_ROWS = 256;
/** Queries per tile. */
const QUERY_CHUNK = 128;
const TILE = QUERY_CHUNK * BLOCK_ROWS;
const WASM_PAGE = 65536;
/** A 32-bit WebAssembly memory holds at most 4 GiB. */
const MAX_WASM_BYTES = 65536 * WASM_PAGE;
/** Start of the kernel's buffers (anything above 0, 16-byte aligned). */
const FIRST_OFFSET = 1024;
/** Unit vectors are quantised as round(SCALE × value); SCALE² × 2 < 2³¹, so no int32 sum can overflow. */
const SCALE = 32767;
const SCALE2 = SCALE * SCALE;
/** Bytes of per-query parameters of filterBlock (see Q_* in the kernel). */
const PARAM_BYTES = 64;
/** Queries answered before the filter is built (a batch of this many builds it at once). */
const FILTER_AFTER = 16;
/** A batch is split between threads from this many queries on, if it also has this many (row, query) pairs. */
const PARALLEL_QUERIES = 64;
const PARALLEL_WORK = 1 << 21;
/** At most this many worker threads per scorer. */
const MAX_WORKERS = 7;
/** How long to wait for a worker to start. */
const WORKER_TIMEOUT_MS = 10_000;
/** Rows sampled to find the principal axes. */
const AXIS_SAMPLE = 2048;
/** Above this many dimensions, finding the axes would cost more than it saves. */
const MAX_ROTATED_DIM = 400;

export interface SimilarityExports {
  memory: WebAssembly.Memory;
  scoreBlock(
    panels: number, rowStart: number, rowEnd: number, lanes: number,
    queries: number, queryCount: number, out: number, outStride: number,
  ): void;
  filterBlock(
    panels: number, rowStart: number, rowEnd: number, lanes: number,
    queries: number, queryCount: number, params: number,
    rowErrors: number, rowRests: number, checks: number, checkCount: number,
    out: number, outStride: number, counts: number,
  ): void;
  rescore(
    panels: number, lanes: number, queries: number, queryCount: number,
    lists: number, listStride: number, counts: number, out: number,
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
 * @example
 * const scorer = createScorer(kv.unitVectors(), kv.size, kv.dim);
 */
export function createScorer(unit: Float32Array, size: number, dim: number, prefer: 'wasm' | 'js' = 'wasm'): Scorer {
  if (prefer === 'wasm') {
    const module = similarityModule();
    const scorer = module ? WasmScorer.create(module, unit, size, dim) : undefined;
    if (scorer) return scorer;
  }
  return new JsScorer(unit, size, dim);
}

/**
 * Calls `onTile` for each block of rows and each chunk of queries active in
 * it (those whose end lies beyond the block's start), rows outermost.
 */
function forEachTile(
  size: number, ends: ArrayLike<number>, onTile: (rowStart: number, rowEnd: number, first: number, count: number) => void,
): void {
  const count = ends.length;
  if (count === 0) return;
  const lastRow = Math.min(size, ends[0]!);
  for (let rowStart = 0; rowStart < lastRow; rowStart += BLOCK_ROWS) {
    const rowEnd = Math.min(lastRow, rowStart + BLOCK_ROWS);
    for (let first = 0; first < count && ends[first]! > rowStart; first += QUERY_CHUNK) {
      let active = Math.min(QUERY_CHUNK, count - first);
      while (ends[first + active - 1]! <= rowStart) active--;
      onTile(rowStart, rowEnd, first, active);
    }
  }
}

/**
 * The exact score of one row for one query, in the kernel's order: lane l
 * of the accumulator sums components k ≡ l (mod 4), rounding to float32
 * after every operation, then (s0 + s1) + (s2 + s3).
 */
function exactScore(unit: Float32Array, base: number, queries: Float32Array, queryBase: number, dim: number): number {
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
    s1 = k + 1 < dim ? fround(s1 + fround(unit[base + k + 1]! * queries[queryBase + k + 1]!)) : s1 + 0;
    s2 = k + 2 < dim ? fround(s2 + fround(unit[base + k + 2]! * queries[queryBase + k + 2]!)) : s2 + 0;
    s3 = s3 + 0;
  }
  return fround(fround(s0 + s1) + fround(s2 + s3));
}

/**
 * For each checkpoint lane c, the norm of `values[8c..dim)`, rounded up to
 * float32 so that it bounds the exact norm, into `out[at + i * step]`.
 */
function restNorms(values: ArrayLike<number>, dim: number, checks: Int32Array, out: Float32Array, at: number, step: number): void {
  let squares = 0;
  let k = dim;
  for (let c = checks.length - 1; c >= 0; c--) {
    for (const from = checks[c]! * 8; k > from; ) {
      k--;
      squares += values[k]! * values[k]!;
    }
    out[at + c * step] = roundUp(Math.sqrt(squares));
  }
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
  panels32At: number;
  panels16At: number;
  errorsAt: number;
  restsAt: number;
  checksAt: number;
  checkCount: number;
  /** The loaded queries' float32 and int16 pairs. */
  queriesAt: number;
  queries16At: number;
}

/** One thread's buffers for {@link filterTiles} (byte offsets in the kernel's memory). */
export interface FilterScratch {
  listsAt: number;
  exactAt: number;
  countsAt: number;
  paramsAt: number;
}

/** Bytes of a {@link FilterScratch}. */
const SCRATCH_BYTES = 2 * TILE * 4 + QUERY_CHUNK * (4 + PARAM_BYTES);

function scratchAt(at: number): FilterScratch {
  return { listsAt: at, exactAt: at + TILE * 4, countsAt: at + 2 * TILE * 4, paramsAt: at + 2 * TILE * 4 + QUERY_CHUNK * 4 };
}

/**
 * The filtered scan of {@link Scorer.scanAbove} over loaded queries
 * `[first, first + ends.length)` (`first` even), tile by tile: candidates go
 * to `visit` with the query's index in this range. `errors`, `rests` (per
 * query, MAX_CHECKS) and `floors` (from `floorsAt`) are indexed the same way.
 */
export function filterTiles(
  exports: SimilarityExports, layout: FilterLayout, scratch: FilterScratch, first: number, ends: ArrayLike<number>,
  errors: Float32Array, rests: Float32Array, floors: Float32Array, visit: CandidateVisitor, floorsAt = 0,
): void {
  const buffer = exports.memory.buffer;
  const lists = new Int32Array(buffer, scratch.listsAt, TILE);
  const exact = new Float32Array(buffer, scratch.exactAt, TILE);
  const counts = new Int32Array(buffer, scratch.countsAt, QUERY_CHUNK);
  const params = new Float32Array(buffer, scratch.paramsAt, QUERY_CHUNK * (PARAM_BYTES / 4));
  const paramInts = new Int32Array(params.buffer, params.byteOffset, params.length);
  const { checkCount, stride16, stride32 } = layout;
  const lanes16 = stride16 >> 3;
  const words = PARAM_BYTES / 4;
  forEachTile(layout.size, ends, (rowStart, rowEnd, chunk, count) => {
    for (let j = 0; j < count; j++) {
      const q = chunk + j;
      const floor = floors[floorsAt + q]!;
      const at = j * words;
      params[at] = floor === -Infinity ? -Infinity : Math.fround(floor * SCALE2);
      params[at + 1] = errors[q]!;
      paramInts[at + 2] = ends[q]!;
      for (let c = 0; c < checkCount; c++) params[at + 4 + c] = rests[q * MAX_CHECKS + c]!;
      counts[j] = 0;
    }
    const loaded = first + chunk;
    exports.filterBlock(
      layout.panels16At, rowStart, rowEnd, lanes16, layout.queries16At + loaded * stride16 * 2, count, scratch.paramsAt,
      layout.errorsAt, layout.restsAt, layout.checksAt, checkCount, scratch.listsAt, BLOCK_ROWS, scratch.countsAt,
    );
    exports.rescore(
      layout.panels32At, stride32 >> 2, layout.queriesAt + loaded * stride32 * 4, count, scratch.listsAt, BLOCK_ROWS, scratch.countsAt,
      scratch.exactAt,
    );
    for (let j = 0; j < count; j++) {
      const n = counts[j]!;
      if (n > 0) visit(chunk + j, lists, exact, j * BLOCK_ROWS, j * BLOCK_ROWS + n);
    }
  });
}

/** What a similarity worker gets at start. */
export interface WorkerSetup {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  scratch: FilterScratch;
  /** The count of pieces taken, then per worker: 0 while it works, 1 once it is ready or has answered, -1 once it has exited. */
  signals: Int32Array;
  /** Its slot in `signals`. */
  signal: number;
  /** Where it posts its answers (read by the main thread with receiveMessageOnPort). */
  results: MessagePort;
}

/** A batch of loaded queries [0, ends.length), for every thread that filters pieces of it. */
export interface FilterBatch {
  layout: FilterLayout;
  ends: Int32Array;
  errors: Float32Array;
  rests: Float32Array;
  /** Per query, how many rows it keeps, and the rows it must not return. */
  sizes: Int32Array;
  excludes: number[][];
}

/** A worker's answer: for each query it took, `lengths[i]` (score, row) pairs, one query after another; or an error. */
export interface FilterResult {
  queries: Int32Array;
  lengths: Int32Array;
  scores: Float64Array;
  rows: Int32Array;
  error?: string;
}

/** Queries per piece of a batch that a thread takes at a time (even: pairs are the kernel's unit). */
const PIECE = 64;

/**
 * Takes pieces of the batch (`next[0]` counts those taken, across threads)
 * until none is left, and fills the heaps of their queries (`heapOf(q)`,
 * without the rows `excludeOf(q)`); returns the queries it took, in order.
 */
export function filterPieces(
  exports: SimilarityExports, scratch: FilterScratch, batch: FilterBatch, next: Int32Array,
  heapOf: (q: number) => TopN, excludeOf: (q: number) => ReadonlySet<number>,
): number[] {
  const count = batch.ends.length;
  const taken: number[] = [];
  const floors = new Float32Array(PIECE);
  for (;;) {
    const first = Atomics.add(next, 0, 1) * PIECE;
    if (first >= count) return taken;
    const last = Math.min(count, first + PIECE);
    for (let q = first; q < last; q++) taken.push(q);
    floors.fill(-Infinity);
    filterTiles(exports, batch.layout, scratch, first, batch.ends.subarray(first, last), batch.errors.subarray(first, last),
      batch.rests.subarray(first * MAX_CHECKS, last * MAX_CHECKS), floors, (j, rows, scores, from, to) => {
        const heap = heapOf(first + j);
        const exclude = excludeOf(first + j);
        for (let i = from; i < to; i++) {
          const row = rows[i]!;
          const score = scores[i]!;
          if (heap.accepts(score, row) && !exclude.has(row)) heap.push(score, row);
        }
        floors[j] = heap.floor;
      });
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
  /** float32 and int16 values per padded vector. */
  private readonly stride32: number;
  private readonly stride16: number;
  /** Lanes at which filterBlock checks whether a tile can still beat its floors. */
  private readonly checks: Int32Array;
  /** The rotation applied to rows and queries for the filter (axes as rows, float32 values), or undefined for none. */
  private axes: Float64Array | undefined;
  /** Slack in the filter for rounding (scaled by SCALE²); set once the rotation is known. */
  private slack = 0;
  /** Whether the filter is built; until then, queries score every row exactly. */
  private filtering = false;
  /** Queries answered so far. */
  private answered = 0;
  // Byte offsets in the kernel's memory.
  private readonly panels32At: number;
  private readonly panels16At: number;
  private readonly errorsAt: number;
  private readonly restsAt: number;
  private readonly checksAt: number;
  private readonly scoresAt: number;
  private readonly listsAt: number;
  private readonly exactAt: number;
  private readonly countsAt: number;
  private readonly paramsAt: number;
  private readonly queriesAt: number;
  /** This thread's buffers for the filter, and each worker's. */
  private readonly scratch: FilterScratch;
  private readonly workerScratch: FilterScratch[];
  /** The worker threads once started; null if they cannot be. */
  private pool: ThreadPool | null | undefined;
  /** Queries the memory has room for (even). */
  private capacity = QUERY_CHUNK;
  private views!: {
    scores: Float32Array; lists: Int32Array; exact: Float32Array; counts: Int32Array; params: Float32Array; paramInts: Int32Array;
  };

  private constructor(
    private readonly exports: SimilarityExports,
    private readonly unit: Float32Array,
    private readonly size: number,
    private readonly dim: number,
    /** Whether there is room for the int16 filter; without it, every query scores every row exactly. */
    private readonly filterAllowed: boolean,
    workers: number,
  ) {
    this.stride32 = paddedStride(dim);
    this.stride16 = (dim + 7) & ~7;
    this.checks = checkpoints(this.stride16 >> 3);
    const rows = panelRows(size);
    const filterRows = filterAllowed ? rows : 0;
    this.panels32At = FIRST_OFFSET;
    this.panels16At = this.panels32At + rows * this.stride32 * 4;
    this.errorsAt = this.panels16At + filterRows * this.stride16 * 2;
    this.restsAt = this.errorsAt + filterRows * 4;
    this.checksAt = this.restsAt + filterRows * MAX_CHECKS * 4;
    this.scoresAt = this.checksAt + MAX_CHECKS * 4;
    this.listsAt = this.scoresAt + TILE * 4;
    this.exactAt = this.listsAt + TILE * 4;
    this.countsAt = this.exactAt + TILE * 4;
    this.paramsAt = this.countsAt + QUERY_CHUNK * 4;
    this.scratch = { listsAt: this.listsAt, exactAt: this.exactAt, countsAt: this.countsAt, paramsAt: this.paramsAt };
    const workersAt = this.paramsAt + QUERY_CHUNK * PARAM_BYTES;
    this.workerScratch = Array.from({ length: workers }, (_, i) => scratchAt(workersAt + i * SCRATCH_BYTES));
    this.queriesAt = workersAt + workers * SCRATCH_BYTES;
    this.makeViews();
  }

  /** Bytes for `count` queries (rounded up to pairs), float32 then int16. */
  private static queryBytes(count: number, dim: number): number {
    const pairs = (count + 1) >> 1;
    return pairs * 2 * (paddedStride(dim) * 4 + ((dim + 7) & ~7) * 2);
  }

  /**
   * Copies the unit vectors into a new kernel instance, with room for the
   * int16 filter if the 4 GiB memory has it; undefined if even the float32
   * rows do not fit.
   */
  static create(module: WebAssembly.Module, unit: Float32Array, size: number, dim: number): WasmScorer | undefined {
    const rows = panelRows(size);
    const filter = rows * (((dim + 7) & ~7) * 2 + 4 + MAX_CHECKS * 4);
    const limit = MAX_WASM_BYTES - WASM_PAGE;
    for (const filterAllowed of [true, false]) {
      // Workers only help the filtered scan; each needs its own buffers.
      const workers = filterAllowed ? Math.min(MAX_WORKERS, availableParallelism() - 1) : 0;
      const common = FIRST_OFFSET + rows * paddedStride(dim) * 4 + MAX_CHECKS * 4 + 3 * TILE * 4 + QUERY_CHUNK * (4 + PARAM_BYTES) +
        workers * SCRATCH_BYTES + WasmScorer.queryBytes(Math.max(QUERY_CHUNK, dim), dim);
      const needed = common + (filterAllowed ? filter : 0);
      if (needed > limit) continue;
      let exports: SimilarityExports;
      try {
        // Shared, so that worker threads can filter a batch over the same copies.
        const memory = new WebAssembly.Memory({ initial: Math.ceil(needed / WASM_PAGE), maximum: MAX_WASM_BYTES / WASM_PAGE, shared: true });
        exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimilarityExports;
      } catch {
        continue; // e.g. the process cannot get that much memory
      }
      const scorer = new WasmScorer(exports, unit, size, dim, filterAllowed, workers);
      scorer.copyRows();
      return scorer;
    }
    return undefined;
  }

  /** Lays out the rows as float32 panels (the memory starts zeroed, which pads). */
  private copyRows(): void {
    const { unit, size, dim, stride32 } = this;
    const panels32 = new Float32Array(this.exports.memory.buffer, this.panels32At, panelRows(size) * stride32);
    for (let row = 0; row < size; row++) {
      const source = row * dim;
      const target = (row >> 2) * stride32 * 4 + (row & 3) * 4;
      for (let k = 0; k < dim; k++) panels32[target + (k >> 2) * 16 + (k & 3)] = unit[source + k]!;
    }
  }

  /**
   * Builds the filter: the rows' rotated values as int16 panels, with their
   * error terms and rest norms. It costs about as much as a few hundred
   * queries without it, so it is built once enough queries have come.
   */
  private buildFilter(): void {
    const { unit, size, dim, stride32, stride16, checks } = this;
    this.filtering = true;
    // Room for the axes as queries first (growing the memory detaches views on it); without it, no rotation.
    const roomForAxes = this.reserve(dim);
    const buffer = this.exports.memory.buffer;
    const rows = panelRows(size);
    new Int32Array(buffer, this.checksAt, MAX_CHECKS).set(checks);

    // The principal axes of the rows, in order of decreasing variance: rotated
    // onto them, rows and queries have most of their length in the first
    // lanes, where the filter's checkpoints can then prune.
    const axes = roomForAxes && checks.length > 0 && dim <= MAX_ROTATED_DIM ? principalAxes(unit, size, dim) : undefined;
    let rotationError = 0;
    if (axes) {
      // The kernel rotates in float32 with axes rounded to float32: bound what that costs a dot product.
      for (let i = 0; i < axes.length; i++) axes[i] = Math.fround(axes[i]!);
      rotationError = orthogonalityError(axes, dim) + 2 * Math.sqrt(dim) * (dim / 4 + 4) * 2 ** -23;
    }
    this.axes = axes;
    // An exact float32 score is within (dim / 4 + 3) × 2^-23 of the true dot product of two unit vectors.
    this.slack = roundUp((rotationError + (dim / 4 + 3) * 2 ** -23 + 1e-6) * SCALE2 + 4096);

    const panels16 = new Int16Array(buffer, this.panels16At, rows * stride16);
    const errors = new Float32Array(buffer, this.errorsAt, rows);
    const rests = new Float32Array(buffer, this.restsAt, rows * MAX_CHECKS);
    const quantised = new Float64Array(dim);
    // Quantises values[at + k * step] (k < dim) as row `row`.
    const store = (row: number, values: ArrayLike<number>, at: number, step: number): void => {
      const target = (row >> 2) * stride16 * 4 + (row & 3) * 8;
      let l1 = 0;
      for (let k = 0; k < dim; k++) {
        const q = Math.round(values[at + k * step]! * SCALE) || 0; // NaN → 0
        panels16[target + (k >> 3) * 32 + (k & 7)] = q;
        quantised[k] = q;
        l1 += Math.abs(q);
      }
      errors[row] = roundUp(l1 / 2);
      const restBase = (row >> 2) * checks.length * 4 + (row & 3);
      restNorms(quantised, dim, checks, rests, restBase, 4);
    };
    if (!axes) {
      for (let row = 0; row < size; row++) store(row, unit, row * dim, 1);
      return;
    }
    // Rotated rows are dot products with the axes: let the kernel compute them, a block of rows at a time.
    this.load(Float32Array.from(axes), dim, false);
    const block = new Float32Array(BLOCK_ROWS * dim);
    const scores = this.views.scores;
    for (let rowStart = 0; rowStart < size; rowStart += BLOCK_ROWS) {
      const rowEnd = Math.min(size, rowStart + BLOCK_ROWS);
      for (let first = 0; first < dim; first += QUERY_CHUNK) {
        const count = Math.min(QUERY_CHUNK, dim - first);
        this.exports.scoreBlock(
          this.panels32At, rowStart, rowEnd, stride32 >> 2, this.queriesAt + first * stride32 * 4, count, this.scoresAt, BLOCK_ROWS,
        );
        if (count === dim) break; // one chunk holds every axis: quantise straight from the tile
        for (let j = 0; j < count; j++) {
          for (let row = rowStart; row < rowEnd; row++) block[(row - rowStart) * dim + first + j] = scores[j * BLOCK_ROWS + row - rowStart]!;
        }
      }
      for (let row = rowStart; row < rowEnd; row++) {
        if (dim <= QUERY_CHUNK) store(row, scores, row - rowStart, BLOCK_ROWS);
        else store(row, block, (row - rowStart) * dim, 1);
      }
    }
  }

  scan(queries: Float32Array, ends: ArrayLike<number>, visit: TileVisitor): void {
    this.inGroups(queries, ends, (part, partEnds, offset) => {
      this.load(part, partEnds.length, false);
      const scores = this.views.scores;
      forEachTile(this.size, partEnds, (rowStart, rowEnd, first, count) => {
        this.exports.scoreBlock(
          this.panels32At, rowStart, rowEnd, this.stride32 >> 2,
          this.queriesAt + first * this.stride32 * 4, count, this.scoresAt, BLOCK_ROWS,
        );
        visit(rowStart, rowEnd, offset + first, count, scores, BLOCK_ROWS);
      });
    });
  }

  scanAbove(queries: Float32Array, ends: ArrayLike<number>, floors: Float32Array, visit: CandidateVisitor): void {
    if (!this.prepareFilter(ends.length)) {
      // Exact scores of every row, and the rows above the floors picked out here.
      this.scan(queries, ends, aboveFloors(ends, floors, visit));
      return;
    }
    this.inGroups(queries, ends, (part, partEnds, offset) => {
      const query = this.load(part, partEnds.length, true);
      filterTiles(this.exports, this.layout(), this.scratch, 0, partEnds, query.errors, query.rests, floors, (q, rows, scores, from, to) =>
        visit(offset + q, rows, scores, from, to), offset);
    });
  }

  selectTop(queries: Float32Array, ends: ArrayLike<number>, heaps: readonly TopN[], excludes: ReadonlyArray<ReadonlySet<number>>): void {
    const count = ends.length;
    const pool = count >= PARALLEL_QUERIES && count * this.size >= PARALLEL_WORK && this.filterAllowed ? this.threads() : undefined;
    if (!pool || !this.prepareFilter(count) || !this.reserve(count)) {
      selectTopWith((q, e, f, v) => this.scanAbove(q, e, f, v), queries, ends, heaps, excludes);
      return;
    }
    const query = this.load(queries, count, true);
    const batch: FilterBatch = {
      layout: this.layout(),
      ends: Int32Array.from(ends),
      errors: query.errors,
      rests: query.rests,
      sizes: Int32Array.from(heaps, (heap) => heap.capacity),
      excludes: excludes.map((rows) => (rows.size > 0 ? [...rows] : [])),
    };
    // Every thread, this one included, takes pieces of the batch until none is left (so a thread the OS holds back delays nobody).
    const next = pool.signals.subarray(0, 1);
    Atomics.store(next, 0, 0);
    for (const worker of pool.workers) {
      Atomics.store(pool.signals, worker.signal, 0);
      worker.thread.postMessage(batch);
    }
    filterPieces(this.exports, this.scratch, batch, next, (q) => heaps[q]!, (q) => excludes[q]!);
    let failure: string | undefined;
    for (const worker of pool.workers) {
      // The worker sets its signal to 1 when it has answered, or to -1 if it exits.
      Atomics.wait(pool.signals, worker.signal, 0);
      if (Atomics.load(pool.signals, worker.signal) < 0) {
        this.stopThreads();
        throw new Error('a similarity worker exited before answering');
      }
      const message = receiveMessageOnPort(worker.results)?.message as FilterResult | undefined;
      if (!message || message.error !== undefined) {
        failure ??= message?.error ?? 'no answer';
        continue;
      }
      let at = 0;
      message.queries.forEach((q, i) => {
        const heap = heaps[q]!;
        for (const end = at + message.lengths[i]!; at < end; at++) heap.push(message.scores[at]!, message.rows[at]!);
      });
    }
    if (failure !== undefined) throw new Error(`a similarity worker failed: ${failure}`);
  }

  /** Stops the workers (after one failed); later batches run on the calling thread. */
  private stopThreads(): void {
    for (const worker of this.pool?.workers ?? []) void worker.thread.terminate();
    this.pool = null;
  }

  /** Counts the queries asked and builds the filter once enough have come; whether it is built. */
  private prepareFilter(count: number): boolean {
    this.answered += count;
    if (!this.filtering && this.filterAllowed && (count >= FILTER_AFTER || this.answered > FILTER_AFTER)) this.buildFilter();
    return this.filtering;
  }

  /** The layout of the filter and of the loaded queries, for filterTiles. */
  private layout(): FilterLayout {
    return {
      size: this.size, stride32: this.stride32, stride16: this.stride16,
      panels32At: this.panels32At, panels16At: this.panels16At, errorsAt: this.errorsAt, restsAt: this.restsAt,
      checksAt: this.checksAt, checkCount: this.checks.length, queriesAt: this.queriesAt, queries16At: this.queries16At(),
    };
  }

  /** The worker threads, started on first use; undefined if there is no other core or they cannot start. */
  private threads(): ThreadPool | undefined {
    if (this.pool !== undefined) return this.pool ?? undefined;
    this.pool = null;
    if (this.workerScratch.length === 0) return undefined;
    const module = similarityModule();
    if (!module) return undefined;
    const signals = new Int32Array(new SharedArrayBuffer(4 * (1 + this.workerScratch.length)));
    const workers = this.workerScratch.map((scratch, index): PoolWorker => {
      const { port1, port2 } = new MessageChannel();
      const signal = 1 + index;
      const setup: WorkerSetup = { module, memory: this.exports.memory, scratch, signals, signal, results: port1 };
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

  /**
   * Copies queries into the kernel's memory as float32 pairs interleaved by
   * lane and, with `filter`, as int16 pairs of their rotated values; returns
   * each one's error term and rest norms for the filter.
   */
  private load(queries: Float32Array, count: number, filter: boolean): { errors: Float32Array; rests: Float32Array } {
    const { dim, stride32, stride16, checks, axes } = this;
    const buffer = this.exports.memory.buffer;
    const pairs = (count + 1) >> 1;
    const memory32 = new Float32Array(buffer, this.queriesAt, pairs * 2 * stride32);
    memory32.fill(0);
    for (let q = 0; q < count; q++) {
      const source = q * dim;
      const target = (q >> 1) * stride32 * 2 + (q & 1) * 4;
      for (let k = 0; k < dim; k++) memory32[target + (k >> 2) * 8 + (k & 3)] = queries[source + k]!;
    }
    const errors = new Float32Array(count);
    const rests = new Float32Array(count * MAX_CHECKS);
    if (!filter) return { errors, rests };
    const memory16 = new Int16Array(buffer, this.queries16At(), pairs * 2 * stride16);
    memory16.fill(0);
    const rotated = new Float64Array(dim);
    const quantised = new Float64Array(dim);
    for (let q = 0; q < count; q++) {
      const source = q * dim;
      if (axes) {
        for (let j = 0; j < dim; j++) {
          let sum = 0;
          for (let k = 0; k < dim; k++) sum += axes[j * dim + k]! * queries[source + k]!;
          rotated[j] = sum;
        }
      } else {
        for (let k = 0; k < dim; k++) rotated[k] = queries[source + k]!;
      }
      const target = (q >> 1) * stride16 * 2 + (q & 1) * 8;
      let l1 = 0;
      for (let k = 0; k < dim; k++) {
        const quantum = Math.round(rotated[k]! * SCALE) || 0;
        memory16[target + (k >> 3) * 16 + (k & 7)] = quantum;
        quantised[k] = quantum;
        l1 += Math.abs(quantum);
      }
      // |approx − SCALE² × exact| ≤ ½ L1(row) + ½ L1(query) + dim / 4; the row's half is stored with the row.
      errors[q] = roundUp(l1 / 2 + dim / 4 + this.slack);
      restNorms(quantised, dim, checks, rests, q * MAX_CHECKS, 1);
    }
    return { errors, rests };
  }

  private queries16At(): number {
    return this.queriesAt + ((this.capacity + 1) >> 1) * 2 * this.stride32 * 4;
  }

  /** Runs `scan` over all queries at once, or over groups that fit if the memory cannot grow enough. */
  private inGroups(
    queries: Float32Array, ends: ArrayLike<number>, scan: (part: Float32Array, ends: ArrayLike<number>, offset: number) => void,
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
      scan(queries.subarray(first * dim, last * dim), Array.from({ length: last - first }, (_, i) => ends[first + i]!), first);
    }
  }

  /** Makes room for `count` queries; false if the memory cannot grow that far. */
  private reserve(count: number): boolean {
    if (count <= this.capacity) return true;
    const capacity = Math.max(count + (count & 1), 2 * this.capacity);
    try {
      growTo(this.exports.memory, this.queriesAt + WasmScorer.queryBytes(capacity, this.dim));
    } catch {
      return false;
    }
    this.capacity = capacity;
    this.makeViews(); // growing replaced the memory's buffer
    return true;
  }

  private makeViews(): void {
    const buffer = this.exports.memory.buffer;
    this.views = {
      scores: new Float32Array(buffer, this.scoresAt, TILE),
      lists: new Int32Array(buffer, this.listsAt, TILE),
      exact: new Float32Array(buffer, this.exactAt, TILE),
      counts: new Int32Array(buffer, this.countsAt, QUERY_CHUNK),
      params: new Float32Array(buffer, this.paramsAt, QUERY_CHUNK * (PARAM_BYTES / 4)),
      paramInts: new Int32Array(buffer, this.paramsAt, QUERY_CHUNK * (PARAM_BYTES / 4)),
    };
  }
}

/** At most this many checkpoints (the kernel's per-query parameters have room for 8). */
const MAX_CHECKS = 4;

/** The filter's checkpoint lanes: after about 1/8, 1/4, 1/2 and 3/4 of the lanes. */
function checkpoints(lanes: number): Int32Array {
  const lanesAt = [lanes / 8, lanes / 4, lanes / 2, (3 * lanes) / 4].map(Math.ceil).filter((c) => c >= 1 && c < lanes);
  return Int32Array.from(new Set(lanesAt));
}

/**
 * The eigenvectors of the rows' second-moment matrix (from a sample of
 * rows), as rows of a dim × dim matrix in order of decreasing eigenvalue:
 * an orthogonal rotation that puts the most variance first. Cyclic Jacobi
 * rotations keep it orthogonal to rounding whether or not they converge.
 */
function principalAxes(unit: Float32Array, size: number, dim: number): Float64Array {
  const moment = new Float64Array(dim * dim);
  const step = Math.max(1, Math.floor(size / AXIS_SAMPLE));
  for (let row = 0; row < size; row += step) {
    const base = row * dim;
    for (let i = 0; i < dim; i++) {
      const x = unit[base + i]!;
      if (x === 0 || x !== x) continue;
      for (let j = i; j < dim; j++) moment[i * dim + j] = moment[i * dim + j]! + x * unit[base + j]!;
    }
  }
  for (let i = 0; i < dim; i++) for (let j = 0; j < i; j++) moment[i * dim + j] = moment[j * dim + i]!;
  const vectors = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) vectors[i * dim + i] = 1;
  const a = moment;
  // A few sweeps suffice: the axes only need to be good, and any orthogonal matrix is correct.
  for (let sweep = 0; sweep < 6; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < dim; i++) {
      for (let j = 0; j < dim; j++) {
        const v = a[i * dim + j]! ** 2;
        total += v;
        if (i !== j) off += v;
      }
    }
    if (!(off > 1e-22 * total)) break;
    for (let p = 0; p < dim; p++) {
      for (let q = p + 1; q < dim; q++) {
        const apq = a[p * dim + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * dim + q]! - a[p * dim + p]!) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < dim; k++) {
          const akp = a[k * dim + p]!;
          const akq = a[k * dim + q]!;
          a[k * dim + p] = c * akp - s * akq;
          a[k * dim + q] = s * akp + c * akq;
        }
        for (let k = 0; k < dim; k++) {
          const apk = a[p * dim + k]!;
          const aqk = a[q * dim + k]!;
          a[p * dim + k] = c * apk - s * aqk;
          a[q * dim + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < dim; k++) {
          const vkp = vectors[k * dim + p]!;
          const vkq = vectors[k * dim + q]!;
          vectors[k * dim + p] = c * vkp - s * vkq;
          vectors[k * dim + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  // Column j of `vectors` is the eigenvector of eigenvalue a[j][j].
  const order = Array.from({ length: dim }, (_, j) => j).sort((x, y) => a[y * dim + y]! - a[x * dim + x]!);
  const axes = new Float64Array(dim * dim);
  order.forEach((column, j) => {
    for (let k = 0; k < dim; k++) axes[j * dim + k] = vectors[k * dim + column]!;
  });
  return axes;
}

/** ‖A Aᵀ − I‖ (Frobenius) of the axes (rows of A): how much the rotation can change a dot product of unit vectors. */
function orthogonalityError(axes: Float64Array, dim: number): number {
  let squares = 0;
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += axes[i * dim + k]! * axes[j * dim + k]!;
      const e = dot - (i === j ? 1 : 0);
      squares += (i === j ? 1 : 2) * e * e;
    }
  }
  // Rounding in this very computation is far below what it measures; double it anyway.
  return 2 * Math.sqrt(squares) + 1e-12;
}

/** Rows including the zero rows that complete the last panel of 4. */
function panelRows(size: number): number {
  return (size + 3) & ~3;
}

function growTo(memory: WebAssembly.Memory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / WASM_PAGE));
}

/** The kernel's exact arithmetic in TypeScript: every score computed, rounding to float32 after every operation. */

/** A tile visitor that hands on, per query, the rows whose exact score is above the query's floor. */
function aboveFloors(ends: ArrayLike<number>, floors: Float32Array, visit: CandidateVisitor): TileVisitor {
  const rows = new Int32Array(BLOCK_ROWS);
  const exact = new Float32Array(BLOCK_ROWS);
  return (rowStart, rowEnd, first, count, scores, stride) => {
    for (let j = 0; j < count; j++) {
      const q = first + j;
      const floor = floors[q]!;
      const limit = Math.min(rowEnd, ends[q]!);
      let n = 0;
      for (let row = rowStart; row < limit; row++) {
        const score = scores[j * stride + row - rowStart]!;
        if (score > floor) {
          rows[n] = row;
          exact[n++] = score;
        }
      }
      if (n > 0) visit(q, rows, exact, 0, n);
    }
  };
}

class JsScorer implements Scorer {
  readonly kind = 'js';
  private readonly scores = new Float32Array(TILE);
  constructor(private readonly unit: Float32Array, private readonly size: number, private readonly dim: number) {}

  scan(queries: Float32Array, ends: ArrayLike<number>, visit: TileVisitor): void {
    forEachTile(this.size, ends, (rowStart, rowEnd, first, count) => {
      this.score(queries, rowStart, rowEnd, first, count);
      visit(rowStart, rowEnd, first, count, this.scores, BLOCK_ROWS);
    });
  }

  scanAbove(queries: Float32Array, ends: ArrayLike<number>, floors: Float32Array, visit: CandidateVisitor): void {
    this.scan(queries, ends, aboveFloors(ends, floors, visit));
  }

  selectTop(queries: Float32Array, ends: ArrayLike<number>, heaps: readonly TopN[], excludes: ReadonlyArray<ReadonlySet<number>>): void {
    selectTopWith((q, e, f, v) => this.scanAbove(q, e, f, v), queries, ends, heaps, excludes);
  }

  private score(queries: Float32Array, rowStart: number, rowEnd: number, first: number, count: number): void {
    const { unit, dim, scores } = this;
    for (let j = 0; j < count; j++) {
      const queryBase = (first + j) * dim;
      for (let row = rowStart; row < rowEnd; row++) {
        scores[j * BLOCK_ROWS + (row - rowStart)] = exactScore(unit, row * dim, queries, queryBase, dim);
      }
    }
  }
}
