/**
 * Scores of vocabulary rows against query vectors, one cache-sized tile of
 * the product (unit vectors) × (queries)ᵀ at a time: the engine behind
 * KeyedVectors' nearest-neighbour queries, single or batched.
 *
 * The tiles come from the WebAssembly SIMD kernel in assembly/similarity.ts,
 * which holds its own copy of the unit vectors. Where it cannot be used (the
 * module is not built, the runtime lacks SIMD, or the matrix does not fit in
 * a 32-bit WebAssembly memory) a TypeScript version computes bit-identical
 * scores: both sum the products in float32 in the same fixed order.
 */
import { readFileSync } from 'node:fs';

/** Floats per padded row: `dim` rounded up to a multiple of 4 (one v128). */
export function paddedStride(dim: number): number {
  return (dim + 3) & ~3;
}

/**
 * Receives the scores of the rows `[rowStart, rowEnd)` for queries
 * `[firstQuery, firstQuery + queryCount)`: the score of row r for query
 * firstQuery + j is `scores[j * stride + (r - rowStart)]`. Only queries whose
 * end exceeds `rowStart` are passed (rows from a query's end on are scored
 * but are not its candidates). The array is only valid during the call.
 */
export type TileVisitor = (
  rowStart: number, rowEnd: number, firstQuery: number, queryCount: number, scores: Float32Array, stride: number,
) => void;

/**
 * Receives, for one query and one tile, the rows `rows[from..to)` (in
 * increasing order) whose score `scores[shift + row]` exceeded the query's
 * floor when the tile was scored. The arrays are only valid during the call.
 */
export type CandidateVisitor = (
  query: number, rows: Int32Array, from: number, to: number, scores: Float32Array, shift: number,
) => void;

export interface Scorer {
  /** Which implementation computes the scores. */
  readonly kind: 'wasm' | 'js';
  /**
   * Scores every query against the rows before its end, tile by tile in
   * increasing row order.
   * @param queries `count × dim` float32 values, row-major.
   * @param ends Per query, the row where its candidates end; non-increasing.
   */
  scan(queries: Float32Array, ends: ArrayLike<number>, visit: TileVisitor): void;
  /**
   * Like {@link Scorer.scan}, but passes on only the rows that beat each
   * query's floor: `floors[q]` is read before every tile, so raising it as
   * better rows are found (a top-n's worst kept score) skips ever more rows.
   * Rows scoring NaN are never passed on.
   */
  scanAbove(queries: Float32Array, ends: ArrayLike<number>, floors: Float32Array, visit: CandidateVisitor): void;
}

/** Rows per tile (a multiple of 4): 256 rows of 100 float32 (100 KiB) stay in the L2 cache while a chunk of queries passes over them. */
const BLOCK_ROWS = 256;
/** Queries per tile: their vectors (50 KiB at 100 dimensions) stay near the core while a tile's rows are scored. */
const QUERY_CHUNK = 128;
const TILE = QUERY_CHUNK * BLOCK_ROWS;
const WASM_PAGE = 65536;
/** A 32-bit WebAssembly memory holds at most 4 GiB. */
const MAX_WASM_BYTES = 65536 * WASM_PAGE;
/** Matrix start in the kernel's memory (anything above 0, 16-byte aligned). */
const MATRIX_OFFSET = 1024;

interface SimilarityExports {
  memory: WebAssembly.Memory;
  scoreBlock(
    panels: number, rowStart: number, rowEnd: number, lanes: number,
    queries: number, queryCount: number, out: number, outStride: number,
    check1: number, check2: number, rowRests: number, queryRests: number, floors: number,
  ): void;
  selectAbove(
    scores: number, stride: number, tileRows: number, rowStart: number, queryCount: number,
    floors: number, ends: number, out: number, counts: number,
  ): void;
}

const WASM_URL = new URL('../../../build/similarity.wasm', import.meta.url);
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

/** The tiling shared by both implementations; they differ in how a tile is scored and filtered. */
abstract class TiledScorer implements Scorer {
  abstract readonly kind: 'wasm' | 'js';

  constructor(protected readonly size: number, protected readonly dim: number) {}

  /** Makes the queries current (their memory may move, so views are taken after this). */
  protected abstract load(queries: Float32Array, count: number): void;
  /**
   * Scores rows `[rowStart, rowEnd)` against loaded queries `[first, first + count)` into the tile.
   * With `floors`, a score that cannot exceed its query's floor may be written as -Infinity instead.
   */
  protected abstract score(rowStart: number, rowEnd: number, first: number, count: number, floors?: Float32Array): void;
  /** The scores of the last tile: query j's at `j * BLOCK_ROWS`. */
  protected abstract tileScores(): Float32Array;
  /** Lists the candidates of the last tile: query j's rows at `j * BLOCK_ROWS`, their number in `counts[j]`. */
  protected abstract select(
    rowStart: number, tileRows: number, first: number, count: number, floors: Float32Array, ends: ArrayLike<number>,
  ): { rows: Int32Array; counts: Int32Array };

  scan(queries: Float32Array, ends: ArrayLike<number>, visit: TileVisitor): void {
    this.tiles(queries, ends, undefined, (rowStart, rowEnd, first, count) => {
      visit(rowStart, rowEnd, first, count, this.tileScores(), BLOCK_ROWS);
    });
  }

  scanAbove(queries: Float32Array, ends: ArrayLike<number>, floors: Float32Array, visit: CandidateVisitor): void {
    this.tiles(queries, ends, floors, (rowStart, rowEnd, first, count) => {
      const { rows, counts } = this.select(rowStart, rowEnd - rowStart, first, count, floors, ends);
      const scores = this.tileScores();
      for (let j = 0; j < count; j++) {
        const n = counts[j]!;
        const at = j * BLOCK_ROWS;
        if (n > 0) visit(first + j, rows, at, at + n, scores, at - rowStart);
      }
    });
  }

  private tiles(
    queries: Float32Array, ends: ArrayLike<number>, floors: Float32Array | undefined,
    onTile: (rowStart: number, rowEnd: number, first: number, count: number) => void,
  ): void {
    const count = ends.length;
    if (count === 0) return;
    this.load(queries, count);
    const lastRow = Math.min(this.size, ends[0]!);
    // Each block of rows is scored against every query (chunk by chunk) while it is in the cache.
    for (let rowStart = 0; rowStart < lastRow; rowStart += BLOCK_ROWS) {
      const rowEnd = Math.min(lastRow, rowStart + BLOCK_ROWS);
      for (let first = 0; first < count && ends[first]! > rowStart; first += QUERY_CHUNK) {
        let active = Math.min(QUERY_CHUNK, count - first);
        while (ends[first + active - 1]! <= rowStart) active--;
        this.score(rowStart, rowEnd, first, active, floors);
        onTile(rowStart, rowEnd, first, active);
      }
    }
  }
}

class WasmScorer extends TiledScorer {
  readonly kind = 'wasm';
  private readonly stride: number;
  private readonly lanes: number;
  /** Pruning checkpoints (in lanes); both equal `lanes` when the vectors are too short to prune. */
  private readonly check1: number;
  private readonly check2: number;
  private readonly restsAt: number;
  private readonly scoresAt: number;
  private readonly rowsAt: number;
  private readonly floorsAt: number;
  private readonly endsAt: number;
  private readonly countsAt: number;
  private readonly queriesAt: number;
  /** Queries the memory has room for (even). */
  private capacity = QUERY_CHUNK;
  private views!: {
    scores: Float32Array; rows: Int32Array; floors: Float32Array; ends: Int32Array; counts: Int32Array; queryRests: Float32Array;
  };

  private constructor(private readonly exports: SimilarityExports, size: number, dim: number) {
    super(size, dim);
    this.stride = paddedStride(dim);
    this.lanes = this.stride >> 2;
    [this.check1, this.check2] = checkpoints(this.lanes);
    // Memory: the row panels and their rest norms, the fixed-size tile
    // buffers, then the queries and their rest norms (which may grow).
    this.restsAt = MATRIX_OFFSET + panelRows(size) * this.stride * 4;
    this.scoresAt = this.restsAt + panelRows(size) * 2 * 4;
    this.rowsAt = this.scoresAt + TILE * 4;
    this.floorsAt = this.rowsAt + TILE * 4;
    this.endsAt = this.floorsAt + QUERY_CHUNK * 4;
    this.countsAt = this.endsAt + QUERY_CHUNK * 4;
    this.queriesAt = this.countsAt + QUERY_CHUNK * 4;
    this.makeViews();
  }

  /** Copies the unit vectors into a new kernel instance; undefined if they do not fit. */
  static create(module: WebAssembly.Module, unit: Float32Array, size: number, dim: number): WasmScorer | undefined {
    const stride = paddedStride(dim);
    const rows = panelRows(size);
    const needed = MATRIX_OFFSET + rows * (stride + 2) * 4 + 2 * TILE * 4 + 3 * QUERY_CHUNK * 4 + WasmScorer.queryBytes(QUERY_CHUNK, stride);
    if (needed > MAX_WASM_BYTES - WASM_PAGE) return undefined;
    let exports: SimilarityExports;
    try {
      exports = new WebAssembly.Instance(module, {}).exports as unknown as SimilarityExports;
      growTo(exports.memory, needed);
    } catch {
      return undefined; // e.g. the process cannot get that much memory
    }
    const scorer = new WasmScorer(exports, size, dim);
    // Panels of 4 rows, interleaved by lane (see scoreBlock); the memory starts zeroed, which pads.
    const panels = new Float32Array(exports.memory.buffer, MATRIX_OFFSET, rows * stride);
    const rests = new Float32Array(exports.memory.buffer, scorer.restsAt, rows * 2);
    const [check1, check2] = [scorer.check1 * 4, scorer.check2 * 4];
    for (let row = 0; row < size; row++) {
      const source = row * dim;
      const target = (row >> 2) * stride * 4 + (row & 3) * 4;
      for (let k = 0; k < dim; k++) panels[target + (k >> 2) * 16 + (k & 3)] = unit[source + k]!;
      rests[(row >> 2) * 8 + (row & 3)] = restNorm(unit, source + check1, source + dim);
      rests[(row >> 2) * 8 + 4 + (row & 3)] = restNorm(unit, source + check2, source + dim);
    }
    return scorer;
  }

  /** Bytes for `count` queries (rounded up to pairs) and their rest norms. */
  private static queryBytes(count: number, stride: number): number {
    return (count + (count & 1)) * (stride + 2) * 4;
  }

  override scan(queries: Float32Array, ends: ArrayLike<number>, visit: TileVisitor): void {
    if (!this.reserve(ends.length)) {
      this.inGroups(queries, ends, (part, partEnds, first) =>
        super.scan(part, partEnds, (rowStart, rowEnd, f, n, scores, stride) => visit(rowStart, rowEnd, first + f, n, scores, stride)));
      return;
    }
    super.scan(queries, ends, visit);
  }

  override scanAbove(queries: Float32Array, ends: ArrayLike<number>, floors: Float32Array, visit: CandidateVisitor): void {
    if (!this.reserve(ends.length)) {
      this.inGroups(queries, ends, (part, partEnds, first) =>
        super.scanAbove(part, partEnds, floors.subarray(first), (q, ...rest) => visit(first + q, ...rest)));
      return;
    }
    super.scanAbove(queries, ends, floors, visit);
  }

  protected load(queries: Float32Array, count: number): void {
    const { stride, dim } = this;
    // Pairs of queries, interleaved by lane (see scoreBlock); zeros pad the lanes and an odd query out's partner.
    const memory = new Float32Array(this.exports.memory.buffer, this.queriesAt, (count + (count & 1)) * stride);
    if (dim !== stride || (count & 1) === 1) memory.fill(0);
    const rests = this.views.queryRests;
    for (let q = 0; q < count; q++) {
      const source = q * dim;
      const target = (q >> 1) * stride * 2 + (q & 1) * 4;
      for (let k = 0; k < dim; k++) memory[target + (k >> 2) * 8 + (k & 3)] = queries[source + k]!;
      rests[2 * q] = restNorm(queries, source + this.check1 * 4, source + dim);
      rests[2 * q + 1] = restNorm(queries, source + this.check2 * 4, source + dim);
    }
  }

  protected score(rowStart: number, rowEnd: number, first: number, count: number, floors?: Float32Array): void {
    const views = this.views;
    if (floors) for (let j = 0; j < count; j++) views.floors[j] = floors[first + j]!;
    const [check1, check2] = floors ? [this.check1, this.check2] : [this.lanes, this.lanes];
    this.exports.scoreBlock(
      MATRIX_OFFSET, rowStart, rowEnd, this.lanes,
      this.queriesAt + first * this.stride * 4, count, this.scoresAt, BLOCK_ROWS,
      check1, check2, this.restsAt, this.queryRestsAt() + first * 8, this.floorsAt,
    );
  }

  protected tileScores(): Float32Array {
    return this.views.scores;
  }

  protected select(
    rowStart: number, tileRows: number, first: number, count: number, floors: Float32Array, ends: ArrayLike<number>,
  ): { rows: Int32Array; counts: Int32Array } {
    const views = this.views;
    // The floors of this tile are in place since score().
    for (let j = 0; j < count; j++) views.ends[j] = ends[first + j]!;
    this.exports.selectAbove(this.scoresAt, BLOCK_ROWS, tileRows, rowStart, count, this.floorsAt, this.endsAt, this.rowsAt, this.countsAt);
    return views;
  }

  private queryRestsAt(): number {
    return this.queriesAt + this.capacity * this.stride * 4;
  }

  /** Makes room for `count` queries; false if the memory cannot grow that far. */
  private reserve(count: number): boolean {
    if (count <= this.capacity) return true;
    const capacity = Math.max(count + (count & 1), 2 * this.capacity);
    try {
      growTo(this.exports.memory, this.queriesAt + WasmScorer.queryBytes(capacity, this.stride));
    } catch {
      return false;
    }
    this.capacity = capacity;
    this.makeViews(); // growing replaced the memory's buffer, and the rest norms moved
    return true;
  }

  /** Runs `scan` over groups of queries that fit the memory as it is. */
  private inGroups(
    queries: Float32Array, ends: ArrayLike<number>, scan: (part: Float32Array, ends: number[], first: number) => void,
  ): void {
    const dim = this.dim;
    for (let first = 0; first < ends.length; first += this.capacity) {
      const last = Math.min(ends.length, first + this.capacity);
      scan(queries.subarray(first * dim, last * dim), Array.from({ length: last - first }, (_, i) => ends[first + i]!), first);
    }
  }

  private makeViews(): void {
    const buffer = this.exports.memory.buffer;
    this.views = {
      scores: new Float32Array(buffer, this.scoresAt, TILE),
      rows: new Int32Array(buffer, this.rowsAt, TILE),
      floors: new Float32Array(buffer, this.floorsAt, QUERY_CHUNK),
      ends: new Int32Array(buffer, this.endsAt, QUERY_CHUNK),
      counts: new Int32Array(buffer, this.countsAt, QUERY_CHUNK),
      queryRests: new Float32Array(buffer, this.queryRestsAt(), this.capacity * 2),
    };
  }
}

/**
 * Where the kernel checks whether a tile can still beat its floors: after
 * about half and three quarters of the lanes. Short vectors are not worth it.
 */
function checkpoints(lanes: number): [number, number] {
  if (lanes < 4) return [lanes, lanes];
  return [Math.ceil(lanes / 2), Math.ceil((3 * lanes) / 4)];
}

/** Norm of `values[from..to)`, rounded up to float32 so that it bounds the exact norm. */
function restNorm(values: Float32Array, from: number, to: number): number {
  let squares = 0;
  for (let i = from; i < to; i++) squares += values[i]! * values[i]!;
  const norm = Math.sqrt(squares);
  const rounded = Math.fround(norm);
  return rounded >= norm ? rounded : Math.fround(norm * (1 + 2 ** -23));
}

/** Rows including the zero rows that complete the last panel of 4. */
function panelRows(size: number): number {
  return (size + 3) & ~3;
}

function growTo(memory: WebAssembly.Memory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / WASM_PAGE));
}

/** The kernel's arithmetic in TypeScript, rounding to float32 after every operation. */
class JsScorer extends TiledScorer {
  readonly kind = 'js';
  private readonly scores = new Float32Array(TILE);
  private readonly rows = new Int32Array(TILE);
  private readonly counts = new Int32Array(QUERY_CHUNK);
  private queries: Float32Array = new Float32Array(0);

  constructor(private readonly unit: Float32Array, size: number, dim: number) {
    super(size, dim);
  }

  protected load(queries: Float32Array): void {
    this.queries = queries;
  }

  protected score(rowStart: number, rowEnd: number, first: number, count: number): void {
    // No pruning: every score is computed.
    const { unit, dim, scores, queries } = this;
    const fround = Math.fround;
    for (let j = 0; j < count; j++) {
      const queryBase = (first + j) * dim;
      for (let row = rowStart; row < rowEnd; row++) {
        const base = row * dim;
        // Lane l of the kernel's accumulator sums components k ≡ l (mod 4).
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
        scores[j * BLOCK_ROWS + (row - rowStart)] = fround(s0 + s1) + fround(s2 + s3);
      }
    }
  }

  protected tileScores(): Float32Array {
    return this.scores;
  }

  protected select(
    rowStart: number, tileRows: number, first: number, count: number, floors: Float32Array, ends: ArrayLike<number>,
  ): { rows: Int32Array; counts: Int32Array } {
    const { scores, rows, counts } = this;
    for (let j = 0; j < count; j++) {
      const floor = floors[first + j]!;
      const limit = Math.min(tileRows, ends[first + j]! - rowStart);
      let n = 0;
      for (let i = 0; i < limit; i++) {
        if (scores[j * BLOCK_ROWS + i]! > floor) rows[j * BLOCK_ROWS + n++] = rowStart + i;
      }
      counts[j] = n;
    }
    return { rows, counts };
  }
}
